import { execFileSync } from 'node:child_process';

/**
 * How to run a child for which permission bits really apply. As root, chmod 0555 stops nothing
 * (CAP_DAC_OVERRIDE), so the child is started through `setpriv` with every capability dropped: it
 * stays uid 0, the owner of the test folders, and obeys their mode like any owner. Returns the
 * command prefix, or a reason to skip when that is not possible.
 */
export function unprivilegedPrefix(): { prefix: string[] } | { skip: string } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const prefix = ['setpriv', '--inh-caps=-all', '--bounding-set=-all', '--'];
  try {
    execFileSync(prefix[0]!, [...prefix.slice(1), 'true'], { stdio: 'ignore' });
    return { prefix };
  } catch {
    return { skip: 'running as root and setpriv cannot drop capabilities here, so a read-only folder would not stop the writer' };
  }
}

/** Mounts a tmpfs of `megabytes` at `dir` (a real ENOSPC), or says why that is not possible. */
export function mountTinyFilesystem(dir: string, megabytes: number): { unmount(): void } | { skip: string } {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    return { skip: `cannot mount a ${megabytes} MB tmpfs (needs root with CAP_SYS_ADMIN): ${String(error).split('\n')[0]}` };
  }
  return { unmount: () => execFileSync('umount', [dir], { stdio: 'ignore' }) };
}
