/** Quorum as PVE reports it, and the message Genesis prints when writes are refused without it. */
import type { ClusterStatusEntry } from './api';

/** pve-cluster `src/PVE/Cluster.pm` `check_cfs_quorum`: what every write to /etc/pve answers without quorum. */
export const PVE_NO_QUORUM = 'cluster not ready - no quorum?';

export class NoQuorumError extends Error {
  constructor(readonly where: string, detail: string) {
    super(
      `the cluster has no quorum (${where}: ${detail}); PVE refuses every write to /etc/pve until more than half of the votes are online. ` +
        `Nothing more was sent. Bring the nodes (or their corosync links) back, check \`pvecm status\`, then run provision again: it continues from what the hosts have.`,
    );
    this.name = 'NoQuorumError';
  }
}

export const isNoQuorum = (error: unknown) => error instanceof Error && error.message.includes(PVE_NO_QUORUM);

/** `{ votes online, total, quorate }` from `/cluster/status` (one entry of type cluster). */
export function quorumOf(status: ClusterStatusEntry[]): { name?: string; quorate: boolean; online: string[]; offline: string[] } {
  const cluster = status.find((s) => s.type === 'cluster');
  const nodes = status.filter((s) => s.type === 'node');
  return {
    name: cluster?.name,
    quorate: cluster ? cluster.quorate === 1 : true,
    online: nodes.filter((n) => n.online === 1).map((n) => n.name),
    offline: nodes.filter((n) => n.online !== 1).map((n) => n.name),
  };
}
