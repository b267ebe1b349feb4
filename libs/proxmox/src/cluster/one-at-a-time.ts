import type { PveApi } from '../client/types';

/** A planned change to a cluster file (HA, replication); `apply` is absent when nothing is to be written. */
export interface FileChange {
  id: string;
  action: 'create' | 'update' | 'delete' | 'sync' | 'unchanged' | 'kept';
  detail?: string;
  apply?: (api: PveApi) => Promise<unknown>;
}

const SIGN: Record<FileChange['action'], string> = {
  create: '+',
  update: '~',
  delete: '-',
  sync: '~',
  unchanged: '=',
  kept: '=',
};

/** One plan line, in the shape of the engine's own plan lines. */
export function formatFileChange(change: FileChange): string {
  return `  ${SIGN[change.action]} ${change.id}${change.action === 'unchanged' ? '' : `: ${change.action} (${change.detail})`}`;
}

/** How many writes applying these changes sends. */
export const fileWrites = (changes: FileChange[]) => changes.filter((c) => c.apply).length;

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
