/**
 * The host's forwarding policy as an nftables file for `nft -f`: one table, `inet genesis`, that the
 * file replaces atomically (declare, delete, define: one transaction) and that nothing else owns.
 * pve-firewall's iptables chains and PVE 9's proxmox-firewall (`inet proxmox-firewall`,
 * `bridge proxmox-firewall-guests`) live in their own tables: a packet must pass every table's
 * hook, so their drops and ours both hold and neither ruleset rewrites the other. Interfaces are
 * matched by name (`iifname`), so the file loads before the bridges exist.
 */
import { networkRoles, type NetworkSpec } from './roles';

export const POLICY_TABLE = 'genesis';

const q = (name: string) => `"${name}"`;

export function renderPolicy(spec: NetworkSpec, source = 'infra/genesis.yaml'): string {
  const { internal, nat } = networkRoles(spec);
  const uplinks = [...new Set(nat.map((b) => b.uplink))];
  const forward: string[] = ['ct state established,related accept', 'ct state invalid drop'];

  for (const from of internal)
    for (const to of internal) {
      if (from === to) continue;
      const allowed = from.spec.reach.includes(to.name);
      forward.push(`iifname ${q(from.name)} oifname ${q(to.name)} ${allowed ? 'accept' : 'drop'} comment "${from.name} ${allowed ? 'may reach' : 'never reaches'} ${to.name}"`);
    }
  for (const b of nat) forward.push(`iifname ${q(b.name)} oifname ${q(b.uplink)} accept comment "${b.name} out through ${b.spec.nat}"`);

  const prerouting: string[] = [];
  for (const b of nat)
    for (const f of b.spec.forwards) {
      const toPort = f.to_port ?? f.port;
      const note = f.comment ? ` comment ${JSON.stringify(f.comment)}` : '';
      prerouting.push(`iifname ${q(b.uplink)} ${f.proto} dport ${f.port} dnat ip to ${f.to}:${toPort}${note}`);
      forward.push(`iifname ${q(b.uplink)} oifname ${q(b.name)} ip daddr ${f.to} ${f.proto} dport ${toPort} ct status dnat accept${note}`);
    }
  for (const up of uplinks)
    for (const b of internal) forward.push(`iifname ${q(up)} oifname ${q(b.name)} drop comment "nothing from ${up} opens a connection into ${b.name}"`);

  const postrouting = nat.map((b) => `oifname ${q(b.uplink)} ip saddr ${b.subnet} masquerade comment "${b.name} NAT"`);

  const chain = (name: string, hook: string, rules: string[]) =>
    [`\tchain ${name} {`, `\t\t${hook}`, ...rules.map((r) => `\t\t${r}`), '\t}'].join('\n');
  return [
    `# Genesis forwarding policy of node ${spec.node}, rendered from ${source} by \`nx run infra:render\`.`,
    '# Loaded by the post-up lines in /etc/network/interfaces (`nft -f`); replaces table inet genesis only.',
    `table inet ${POLICY_TABLE}`,
    `delete table inet ${POLICY_TABLE}`,
    '',
    `table inet ${POLICY_TABLE} {`,
    chain('forward', 'type filter hook forward priority filter; policy accept;', forward),
    '',
    chain('prerouting', 'type nat hook prerouting priority dstnat; policy accept;', prerouting),
    '',
    chain('postrouting', 'type nat hook postrouting priority srcnat; policy accept;', postrouting),
    '}',
    '',
  ].join('\n');
}
