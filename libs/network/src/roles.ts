/**
 * What each declared bridge is to the host's forwarding: an uplink (the WAN a NAT bridge goes out
 * through), or an internal bridge (its own subnet, routed by the host, closed to the uplink).
 * Everything libs/network renders or rehearses starts from these roles.
 */
import { networkOf, parseCidr, type BridgeSpec, type DesiredSpec } from '@genesis/proxmox';

export interface InternalBridge {
  name: string;
  /** `10.0.1.0/24`. */
  subnet: string;
  /** The bridge's own address: the default route of its VMs. */
  address: string;
  spec: BridgeSpec;
}

export interface NetworkRoles {
  /** Bridges that some bridge masquerades through (vmbr0). */
  uplinks: BridgeSpec[];
  /** Bridges with a subnet that are not uplinks (vmbr1, vmbr2), in declaration order. */
  internal: InternalBridge[];
  /** Internal bridges that masquerade out (`nat:`), with the uplink they go through. */
  nat: NatBridge[];
}

export interface NatBridge extends InternalBridge {
  uplink: string;
}

export type NetworkSpec = Pick<DesiredSpec, 'node' | 'bridges' | 'vms'>;

export function networkRoles(spec: NetworkSpec): NetworkRoles {
  const uplinkNames = new Set(spec.bridges.flatMap((b) => (b.nat ? [b.nat] : [])));
  const uplinks = spec.bridges.filter((b) => uplinkNames.has(b.name));
  const internal = spec.bridges.flatMap((b) => {
    const c = b.cidr && !uplinkNames.has(b.name) ? parseCidr(b.cidr) : undefined;
    return c ? [{ name: b.name, subnet: networkOf(c), address: c.address, spec: b }] : [];
  });
  const nat = internal.flatMap((b) => (b.spec.nat ? [{ ...b, uplink: b.spec.nat }] : []));
  return { uplinks, internal, nat };
}
