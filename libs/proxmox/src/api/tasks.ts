/**
 * Task handling shared by the helpers: PVE answers long operations with a UPID, and some calls
 * (`POST /qemu/{vmid}/config`) answer a UPID only when they had asynchronous work to do.
 */
import type { PveApi, PveTaskStatus } from '../client/types';
import { isUpid } from '../client/upid';

export type ProgressFn = (line: string) => void;

/** Waits on the task; long tasks report progress every few polls so a user sees they are alive. */
export async function awaitTask(
  api: PveApi,
  upid: unknown,
  label: string,
  progress?: ProgressFn,
  timeoutMs?: number,
): Promise<PveTaskStatus | undefined> {
  if (!isUpid(upid)) return undefined;
  let lastReport = 0;
  return api.waitForTask(upid, {
    timeoutMs,
    onProgress: (status, elapsedMs) => {
      if (progress && status.status === 'running' && elapsedMs - lastReport >= 5000) {
        lastReport = elapsedMs;
        progress(`  … ${label}: still running after ${Math.round(elapsedMs / 1000)} s (${upid})`);
      }
    },
  });
}
