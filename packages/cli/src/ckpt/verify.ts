import { CliError, EXIT } from '../cli-error.js';
import { toJson, type Output } from '../output.js';
import { checkCheckpoint } from './check.js';
import { checkpointFiles } from './find-files.js';

/** `cairn ckpt verify FILE|DIR`: exit 0 only if there is at least one file and every file passes every check. */
export async function verifyCheckpoints(target: string, out: Output): Promise<number> {
  const files = await checkpointFiles(target);
  if (files.length === 0) throw new CliError(`${target}: no .ckpt files to verify`, EXIT.failed);
  const results = [];
  for (const path of files) {
    const result = await checkCheckpoint(path);
    results.push(result.ok ? { file: path, ok: true } : { file: path, ok: false, check: result.check, message: result.message });
  }
  const failed = results.filter((r) => !r.ok);
  if (out.json) out.result(toJson({ ok: failed.length === 0, files: results }));
  else {
    for (const r of results) out.result(r.ok ? `ok      ${r.file}` : `FAILED  ${r.file}: ${r.check} check failed: ${r.message}`);
    out.result(failed.length === 0 ? `${results.length} file(s) verified` : `${failed.length} of ${results.length} file(s) failed`);
  }
  return failed.length === 0 ? EXIT.ok : EXIT.failed;
}
