import { readFileSync } from 'node:fs';

/**
 * Who a process is, well enough to tell it from a later process that got the same pid: a pid is
 * reused after the process ends, always after a reboot, and a container's first process is pid 1
 * on every start. (boot id, pid, start time) names one process for the life of the machine.
 * Everything here reads Linux's /proc; elsewhere the parts it cannot read are undefined.
 */

/** This boot's id (/proc/sys/kernel/random/boot_id), new at every boot; undefined where absent. */
export function currentBootId(): string | undefined {
  return readProcText('/proc/sys/kernel/random/boot_id');
}

/**
 * When `pid` started, in clock ticks after boot (field 22 of /proc/<pid>/stat), as text; undefined
 * when the process does not exist or /proc is not there.
 */
export function processStartTime(pid: number): string | undefined {
  if (!isPlausiblePid(pid)) return undefined;
  const stat = readProcText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // Field 2 is the command name in parentheses and may hold spaces or ')': count from the last ')'.
  const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // afterName[0] is field 3 (state), so field 22 is afterName[19].
  const ticks = afterName[19];
  return ticks !== undefined && /^\d+$/u.test(ticks) ? ticks : undefined;
}

/** Whether a process with this pid exists now (any owner). Says nothing of WHICH process it is. */
export function isProcessAlive(pid: number): boolean {
  // pid 0 and negatives address process groups in kill(2): never a process of ours.
  if (!isPlausiblePid(pid)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException | null)?.code === 'EPERM';
  }
}

function isPlausiblePid(pid: number): boolean {
  return Number.isSafeInteger(pid) && pid >= 1;
}

function readProcText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}
