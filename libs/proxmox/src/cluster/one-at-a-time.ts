import type { PveApi } from '../client/types';

/** A planned change to a cluster file; `apply` is absent when nothing is to be written. */
export interface FileChange {
  apply?: (api: PveApi) => Promise<unknown>;
}

/**
 * Applies the changes to one cluster file (`ha/*.cfg`, `replication.cfg`) in plan order, one write
 * at a time: each file has one digest, so concurrent writes would refuse each other. Returns the
 * number of writes.
 */
export async function applyOneAtATime(api: PveApi, changes: FileChange[]): Promise<number> {
  let writes = 0;
  for (const change of changes) {
    if (!change.apply) continue;
    await change.apply(api);
    writes++;
  }
  return writes;
}
