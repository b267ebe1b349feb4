/** `/storage` (cluster storage configuration) and the node's view of it (status, content, downloads). */
import type { PveApi } from '../client/types';

export interface StorageConfig {
  storage: string;
  type: string;
  content?: string;
  pool?: string;
  path?: string;
  sparse?: number | boolean;
  disable?: number | boolean;
  digest?: string;
  nodes?: string;
}

export interface StorageStatus {
  storage: string;
  type: string;
  active?: number | boolean;
  enabled?: number | boolean;
  content: string;
  total?: number;
  used?: number;
  avail?: number;
}

export interface StorageContent {
  volid: string;
  content: string;
  format?: string;
  size?: number;
  vmid?: number;
}

export const listStorage = (api: PveApi) => api.get<StorageConfig[]>('/storage');

/** `nodes`: the cluster nodes the storage is available on (pve-storage `storage_check_node`); absent: all. */
export const createZfsStorage = (api: PveApi, storage: string, pool: string, content: string[], nodes?: string[]) =>
  api.post<unknown>('/storage', { storage, type: 'zfspool', pool, content: content.join(','), sparse: true, nodes: nodes?.join(',') });

export const createDirStorage = (api: PveApi, storage: string, path: string, content: string[], nodes?: string[]) =>
  api.post<unknown>('/storage', { storage, type: 'dir', path, content: content.join(','), nodes: nodes?.join(',') });

export const getStorage = (api: PveApi, storage: string) => api.get<StorageConfig>(`/storage/${encodeURIComponent(storage)}`);

export const updateStorageContent = (api: PveApi, storage: string, content: string[], digest?: string) =>
  api.put<unknown>(`/storage/${encodeURIComponent(storage)}`, { content: content.join(','), digest });

/** Content and the node restriction of a cluster's storage: `nodes: null` lifts it (`delete=nodes`), undefined keeps it. */
export const updateStorageInCluster = (api: PveApi, storage: string, content: string[], nodes: string[] | null | undefined, digest?: string) =>
  api.put<unknown>(`/storage/${encodeURIComponent(storage)}`, { content: content.join(','), nodes: nodes?.join(','), delete: nodes === null ? 'nodes' : undefined, digest });

export const deleteStorage = (api: PveApi, storage: string) =>
  api.delete<null>(`/storage/${encodeURIComponent(storage)}`);

const nodeStorage = (api: PveApi, storage: string) =>
  `/nodes/${encodeURIComponent(api.node)}/storage/${encodeURIComponent(storage)}`;

export const storageStatus = (api: PveApi, storage: string) =>
  api.get<StorageStatus>(`${nodeStorage(api, storage)}/status`);

export const listContent = (api: PveApi, storage: string, content?: string) =>
  api.get<StorageContent[]>(`${nodeStorage(api, storage)}/content`, content ? { content } : undefined);

/** Downloads on the host itself (a task); `content=import` holds disk images for `import-from`. */
export const downloadUrl = (
  api: PveApi,
  storage: string,
  p: { url: string; filename: string; content: 'iso' | 'vztmpl' | 'import'; checksum?: string; checksumAlgorithm?: string },
) =>
  api.post<string>(`${nodeStorage(api, storage)}/download-url`, {
    url: p.url,
    filename: p.filename,
    content: p.content,
    checksum: p.checksum,
    'checksum-algorithm': p.checksum ? p.checksumAlgorithm : undefined,
  });
