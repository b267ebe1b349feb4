/** The node's own size (`GET /nodes/{node}/status`): what a VM on it can have at most. */
import type { PveApi } from '../client/types';

export interface NodeStatus {
  cpuinfo: { cpus: number; sockets?: number; cores?: number; model?: string };
  /** Bytes. */
  memory: { total: number; used?: number; free?: number };
}

export const getNodeStatus = (api: PveApi) => api.get<NodeStatus>(`/nodes/${encodeURIComponent(api.node)}/status`);
