/**
 * `/nodes/{node}/network`: PVE stages every edit in /etc/network/interfaces.new; `PUT` applies the
 * staged file with one reload (a task) and `DELETE` throws the staged file away.
 */
import type { PveApi, PveParams } from '../client/types';

export interface NetworkInterface {
  iface: string;
  type: string;
  active?: number | boolean;
  autostart?: number | boolean;
  address?: string;
  netmask?: string;
  cidr?: string;
  gateway?: string;
  bridge_ports?: string;
  bridge_vlan_aware?: number | boolean;
  comments?: string;
  method?: string;
  exists?: number | boolean;
  families?: string[];
}

/** The fields a bridge definition sends; `iface` and `type` are added by the helpers. */
export interface BridgeParams {
  cidr?: string;
  gateway?: string;
  bridge_ports?: string;
  autostart?: boolean;
  comments?: string;
  bridge_vlan_aware?: boolean;
}

const base = (api: PveApi) => `/nodes/${encodeURIComponent(api.node)}/network`;

export const listNetwork = (api: PveApi, type?: 'bridge' | 'eth' | 'any_bridge') =>
  api.get<NetworkInterface[]>(base(api), type ? { type } : undefined);

export const createBridge = (api: PveApi, iface: string, params: BridgeParams) =>
  api.post<null>(base(api), { iface, type: 'bridge', ...(params as PveParams) });

/** PVE requires `type` on update; `delete` clears fields that the new definition no longer has. */
export const updateBridge = (api: PveApi, iface: string, params: BridgeParams, remove: string[] = []) =>
  api.put<null>(`${base(api)}/${encodeURIComponent(iface)}`, {
    type: 'bridge',
    ...(params as PveParams),
    delete: remove.length ? remove.join(',') : undefined,
  });

export const deleteInterface = (api: PveApi, iface: string) =>
  api.delete<null>(`${base(api)}/${encodeURIComponent(iface)}`);

/** Applies the staged configuration (ifreload); answers a UPID. */
export const applyNetwork = (api: PveApi) => api.put<string>(base(api));

/** Discards the staged configuration. */
export const revertNetwork = (api: PveApi) => api.delete<null>(base(api));
