/**
 * `/etc/network/interfaces` as the host will hold it after Genesis: the installer's stanzas (lo,
 * the bridge ports as `manual` NICs), every declared bridge as PVE's API writes it, and on each NAT
 * bridge the lines that turn forwarding on and load the host policy (policy.ts). The text comes from
 * the simulator's reading of pve-common's writer, so render and simulator cannot drift apart.
 */
import { interfacesFileText, type NetworkInterface } from '@genesis/pve-sim';
import { networkRoles, type NetworkSpec } from './roles';

/** Where the host keeps the policy; the `post-up` lines load it from here. */
export const POLICY_PATH = '/etc/network/genesis.nft';

/**
 * The NAT lines, in the style of the admin guide's "Masquerading (NAT) with iptables", with the
 * iptables rule replaced by loading the whole nftables policy. No `post-down`: the policy is the
 * host's, not one bridge's; taking it away when one bridge goes down would open the others.
 */
export function natOptions(policyPath = POLICY_PATH): string[] {
  return ['post-up echo 1 > /proc/sys/net/ipv4/ip_forward', `post-up nft -f ${policyPath}`];
}

export function hostInterfaces(spec: NetworkSpec): NetworkInterface[] {
  const nat = new Set(networkRoles(spec).nat.map((b) => b.name));
  let priority = 1;
  const out: NetworkInterface[] = [{ iface: 'lo', type: 'loopback', method: 'loopback', autostart: 1, priority: priority++ }];
  for (const port of spec.bridges.flatMap((b) => b.ports)) out.push({ iface: port, type: 'eth', method: 'manual', priority: priority++ });
  for (const b of spec.bridges) {
    out.push({
      iface: b.name,
      type: 'bridge',
      method: b.cidr ? 'static' : 'manual',
      cidr: b.cidr,
      gateway: b.gateway,
      bridge_ports: b.ports.join(' ') || undefined,
      bridge_stp: 'off',
      bridge_fd: '0',
      autostart: b.autostart ? 1 : undefined,
      comments: b.comment,
      options: nat.has(b.name) ? natOptions().join('\n') : undefined,
      priority: priority++,
    });
  }
  return out;
}

export function renderInterfacesFile(spec: NetworkSpec): string {
  return interfacesFileText(hostInterfaces(spec));
}
