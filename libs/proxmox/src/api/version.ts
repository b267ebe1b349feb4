/** `GET /version`: what the reachability probe and the post-reload check ask. */
import type { PveApi } from '../client/types';

export interface PveVersion {
  version: string;
  release: string;
  repoid: string;
}

export const getVersion = (api: PveApi) => api.get<PveVersion>('/version');
