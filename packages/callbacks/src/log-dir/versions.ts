import { readdirSync } from 'node:fs';

/** Lightning's automatic version: one more than the highest `version_N` folder in `root` (0 when none). */
export function nextVersion(root: string): number {
  const versions = existingVersions(root);
  return versions.length === 0 ? 0 : Math.max(...versions) + 1;
}

/** The N of every `version_N` folder in `root` (none when root does not exist). */
export function existingVersions(root: string): number[] {
  let names: string[];
  try {
    names = readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.map((name) => /^version_(\d+)$/.exec(name)?.[1]).filter((n): n is string => n !== undefined).map(Number);
}

/** Folder name of a version: `version_N` for numbers, the string itself otherwise (Lightning's rule). */
export function versionFolder(version: number | string): string {
  return typeof version === 'number' ? `version_${version}` : version;
}
