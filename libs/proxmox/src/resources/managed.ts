/**
 * What `--prune` may delete: only what Genesis made. Security groups carry a mark in their comment
 * (PVE keeps it in cluster.fw); kinds PVE gives no place for a mark (a storage.cfg entry has no
 * comment) count as not Genesis's. Anything else `--prune` would delete is listed in the plan and
 * is deleted only when named: `--prune=local-lvm`.
 */
import { unchanged, type Change, type DiffOptions } from './types';

export const GENESIS_MARK = '[genesis]';

/** The comment Genesis writes: the declared one with the mark after it. */
export const marked = (comment: string | undefined) => (comment ? `${comment} ${GENESIS_MARK}` : GENESIS_MARK);
export const isManaged = (comment: string | undefined) => (comment ?? '').includes(GENESIS_MARK);

/**
 * The delete change when pruning may delete `name` (Genesis made it, or it is named after
 * --prune=), else an unchanged entry whose note says how to delete it.
 */
export function pruneOrKeep(change: Change, name: string | number, managed: boolean, options: DiffOptions): Change {
  if (managed || (options.pruneNames ?? []).includes(String(name))) return change;
  return {
    ...unchanged(change.kind, change.id),
    notes: [`not declared and not made by Genesis: kept by --prune; --prune=${name} deletes it`],
  };
}
