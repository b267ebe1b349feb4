/**
 * Checks that span several entries of the desired state (the schema sees one field at a time).
 * Each finding names the field that has to change and how.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { cidrContains, cidrsOverlap, formatIpv4, parseCidr, parseIpv4, networkOf, type Ipv4Cidr } from './ipv4';
import { checkRules, preferredMacro } from './rule-checks';
import type { DesiredSpec } from './schema';

export type FieldPath = (string | number)[];

export interface Finding {
  path: FieldPath;
  message: string;
}

export function crossCheck(spec: DesiredSpec, baseDir: string): Finding[] {
  const out: Finding[] = [];
  const add = (path: FieldPath, message: string) => out.push({ path, message });

  duplicates(spec.storage.map((s) => s.id), (i, first) =>
    add(['storage', i, 'id'], `"${spec.storage[i].id}" is already storage[${first}]; give each storage its own id`),
  );
  duplicates(spec.bridges.map((b) => b.name), (i, first) =>
    add(['bridges', i, 'name'], `"${spec.bridges[i].name}" is already bridges[${first}]; each bridge appears once`),
  );
  duplicates(spec.firewall.groups.map((g) => g.name), (i, first) =>
    add(['firewall', 'groups', i, 'name'], `"${spec.firewall.groups[i].name}" is already firewall.groups[${first}]; merge the rules`),
  );
  duplicates(spec.gpus.map((g) => g.mapping), (i, first) =>
    add(['gpus', i, 'mapping'], `"${spec.gpus[i].mapping}" is already gpus[${first}]; each mapping id appears once`),
  );

  // VM ids are one namespace in PVE: templates and VMs must not collide.
  const ids = [
    ...spec.templates.map((t, i) => ({ id: t.id, path: ['templates', i, 'id'] as FieldPath, label: `templates[${i}]` })),
    ...spec.vms.map((v, i) => ({ id: v.id, path: ['vms', i, 'id'] as FieldPath, label: `vms[${i}]` })),
  ];
  duplicates(ids.map((x) => x.id), (i, first) =>
    add(ids[i].path, `VM id ${ids[i].id} is already used by ${ids[first].label}; pick a free id`),
  );
  duplicates(spec.vms.map((v) => v.name), (i, first) =>
    add(['vms', i, 'name'], `"${spec.vms[i].name}" is already the name of vms[${first}]; VM names must be unique`),
  );

  const storages = new Map(spec.storage.map((s) => [s.id, s]));
  const needStorage = (path: FieldPath, id: string, content: string) => {
    const s = storages.get(id);
    if (!s) add(path, `storage "${id}" is not declared under storage:; add it or use one of: ${[...storages.keys()].join(', ') || '(none)'}`);
    else if (!s.content.includes(content as never))
      add(path, `storage "${id}" does not hold ${content}; add ${content} to its content list`);
  };

  // Bridges: addresses, overlaps, references.
  const bridges = new Map(spec.bridges.map((b) => [b.name, b]));
  const subnets = spec.bridges.map((b) => (b.cidr ? parseCidr(b.cidr) : undefined));
  spec.bridges.forEach((b, i) => {
    const c = subnets[i];
    if (b.gateway && c && !cidrContains(c, b.gateway))
      add(['bridges', i, 'gateway'], `"${b.gateway}" is outside ${b.cidr}; the gateway must sit in the bridge's subnet`);
    if (b.gateway && !c) add(['bridges', i, 'gateway'], 'needs an address; add a cidr to this bridge or remove the gateway');
    if (b.nat && !bridges.has(b.nat)) add(['bridges', i, 'nat'], `bridge "${b.nat}" is not declared; NAT needs an uplink bridge from bridges:`);
    if (b.nat === b.name) add(['bridges', i, 'nat'], 'a bridge cannot NAT through itself; name the uplink bridge, e.g. vmbr0');
    if (b.nat && bridges.get(b.nat) && !bridges.get(b.nat)!.gateway && b.nat !== b.name)
      add(['bridges', i, 'nat'], `bridge "${b.nat}" has no gateway, so masqueraded traffic has no way out; NAT through the bridge that holds the default gateway (e.g. vmbr0)`);
    if (b.nat && !c) add(['bridges', i, 'nat'], 'NAT needs this bridge\'s subnet; add a cidr (e.g. 10.0.1.1/24) or remove nat');
    b.ports.forEach((p, k) => {
      if (bridges.has(p)) add(['bridges', i, 'ports', k], `"${p}" is another bridge; a bridge port is a NIC or bond (e.g. enp3s0), route between bridges with nat/reach instead`);
      const owner = spec.bridges.findIndex((o, oi) => oi < i && o.ports.includes(p));
      if (owner >= 0)
        add(
          ['bridges', i, 'ports', k],
          `"${p}" is already a port of ${spec.bridges[owner].name}${spec.bridges[owner].gateway ? ', the bridge with the management address and the gateway; moving its NIC cuts the host off' : ''}; a NIC belongs to one bridge, remove it here`,
        );
    });
    b.reach.forEach((r, k) => {
      if (!bridges.has(r)) add(['bridges', i, 'reach', k], `bridge "${r}" is not declared; name a bridge from bridges: (${[...bridges.keys()].join(', ')})`);
      else if (r === b.name) add(['bridges', i, 'reach', k], 'a bridge always reaches itself; remove this entry');
      else if (!bridges.get(r)!.cidr) add(['bridges', i, 'reach', k], `bridge "${r}" has no cidr, so nothing routes to it; add a cidr to it`);
    });
    b.forwards.forEach((f, k) => {
      if (!b.nat) add(['bridges', i, 'forwards', k], 'a port forward comes in through the NAT uplink; add nat: <uplink bridge> to this bridge');
      if (c && !cidrContains(c, f.to)) add(['bridges', i, 'forwards', k, 'to'], `"${f.to}" is outside ${b.cidr}; forward to a VM address in this bridge's subnet`);
    });
    for (let j = 0; j < i; j++) {
      const o = subnets[j];
      if (c && o && cidrsOverlap(c, o))
        add(['bridges', i, 'cidr'], `${networkOf(c)} overlaps ${spec.bridges[j].name} (${networkOf(o)}); give each bridge its own subnet`);
    }
  });
  if (spec.bridges.filter((b) => b.gateway).length > 1)
    spec.bridges.forEach((b, i) => {
      if (b.gateway && i > spec.bridges.findIndex((x) => x.gateway))
        add(['bridges', i, 'gateway'], 'a host has one default gateway; keep it on the WAN bridge only');
    });

  const groups = new Set(spec.firewall.groups.map((g) => g.name));
  const checkGroupRules = (rules: DesiredSpec['firewall']['rules'], path: FieldPath) =>
    rules.forEach((r, i) => {
      if (r.type === 'group' && !groups.has(r.action))
        add([...path, i, 'action'], `security group "${r.action}" is not declared under firewall.groups`);
    });
  checkGroupRules(spec.firewall.rules, ['firewall', 'rules']);
  const checkRefs = (rules: DesiredSpec['firewall']['rules'], path: FieldPath) =>
    rules.forEach((r, i) =>
      (['source', 'dest'] as const).forEach((field) => {
        const ref = r[field]?.startsWith('@') ? r[field]!.slice(1) : undefined;
        if (ref === undefined) return;
        const b = bridges.get(ref);
        if (!b) add([...path, i, field], `"${r[field]}" names no declared bridge; write @ and a bridge from bridges: (${[...bridges.keys()].join(', ')})`);
        else if (!b.cidr) add([...path, i, field], `bridge ${ref} has no cidr, so "${r[field]}" has no subnet; add a cidr to it`);
      }),
    );
  checkRefs(spec.firewall.rules, ['firewall', 'rules']);
  spec.firewall.groups.forEach((g, gi) => checkRefs(g.rules, ['firewall', 'groups', gi, 'rules']));
  const nets = new Map(spec.bridges.filter((b) => b.cidr && parseCidr(b.cidr)).map((b) => [`@${b.name}`, networkOf(parseCidr(b.cidr!)!)]));
  out.push(...checkRules(spec.firewall.rules, ['firewall', 'rules'], 'cluster', nets));
  spec.firewall.groups.forEach((g, gi) => out.push(...checkRules(g.rules, ['firewall', 'groups', gi, 'rules'], 'group', nets)));

  // A host address that is its subnet's network or broadcast address cannot be used (ifupdown2
  // and the guests accept it, then nothing answers).
  const hostAddress = (path: FieldPath, address: string, c: Ipv4Cidr | undefined) => {
    const n = parseIpv4(address);
    if (!c || n === undefined || c.prefix >= 31) return;
    if (n === c.network) add(path, `${address} is the network address of ${networkOf(c)}; use a host address from ${formatIpv4(c.network + 1)} to ${formatIpv4(c.broadcast - 1)}`);
    if (n === c.broadcast) add(path, `${address} is the broadcast address of ${networkOf(c)}; use a host address from ${formatIpv4(c.network + 1)} to ${formatIpv4(c.broadcast - 1)}`);
  };
  spec.bridges.forEach((b, i) => {
    const c = subnets[i];
    if (b.cidr && c) hostAddress(['bridges', i, 'cidr'], c.address, c);
    if (b.gateway && c) hostAddress(['bridges', i, 'gateway'], b.gateway, c);
    b.forwards.forEach((f, k) => hostAddress(['bridges', i, 'forwards', k, 'to'], f.to, c));
  });
  spec.vms.forEach((v, i) => {
    const c = v.address ? parseCidr(v.address) : undefined;
    if (c) hostAddress(['vms', i, 'address'], c.address, c);
  });

  const templateIds = new Set(spec.templates.map((t) => t.id));
  spec.templates.forEach((t, i) => {
    if (!bridges.has(t.bridge)) add(['templates', i, 'bridge'], `bridge "${t.bridge}" is not declared; declare it under bridges: or use one of: ${[...bridges.keys()].join(', ')}`);
    needStorage(['templates', i, 'disk', 'storage'], t.disk.storage, 'images');
    if (!t.disk.size && !t.disk.image) add(['templates', i, 'disk'], 'needs either size (GiB of an empty disk) or image (a cloud image to import)');
    if (t.disk.size && t.disk.image) add(['templates', i, 'disk', 'size'], 'an imported image keeps its own size; remove size or image');
    if (t.disk.image) needStorage(['templates', i, 'disk', 'image', 'storage'], t.disk.image.storage, 'import');
    needStorage(['templates', i, 'cloudinit', 'storage'], t.cloudinit.storage, 'images');
    if (t.cloudinit.userData) {
      if (!existsSync(resolve(baseDir, t.cloudinit.userData)))
        add(['templates', i, 'cloudinit', 'userData'], `file ${t.cloudinit.userData} does not exist (relative to the desired-state file)`);
      if (!t.cloudinit.snippet) add(['templates', i, 'cloudinit'], 'userData needs snippet: the volume the host keeps it as, e.g. local:snippets/ubuntu-ai.yaml');
    }
    if (t.cloudinit.snippet) needStorage(['templates', i, 'cloudinit', 'snippet'], t.cloudinit.snippet.split(':')[0], 'snippets');
    if (t.efi) needStorage(['templates', i, 'efi', 'storage'], t.efi.storage, 'images');
    if (t.tpm) needStorage(['templates', i, 'tpm', 'storage'], t.tpm.storage, 'images');
    if (t.efi && t.bios !== 'ovmf') add(['templates', i, 'bios'], 'an EFI disk needs bios: ovmf');
    if (t.install) out.push(...installChecks(t, i, needStorage, baseDir));
  });

  const gpus = new Set(spec.gpus.map((g) => g.mapping));
  const gpuOwner = new Map<string, number>();
  const addresses = new Map<string, number>();
  spec.vms.forEach((v, i) => {
    const bridge = bridges.get(v.bridge);
    if (!bridge) add(['vms', i, 'bridge'], `bridge "${v.bridge}" is not declared; declare it under bridges: or use one of: ${[...bridges.keys()].join(', ')}`);
    if (!templateIds.has(v.template))
      add(['vms', i, 'template'], `template ${v.template} is not declared under templates:; use one of: ${[...templateIds].join(', ') || '(none)'}`);
    if (v.address) {
      const c = parseCidr(v.address);
      const bc = bridge?.cidr ? parseCidr(bridge.cidr) : undefined;
      if (c && bc && (!cidrContains(bc, c.address) || c.prefix !== bc.prefix))
        add(['vms', i, 'address'], `"${v.address}" is not in ${v.bridge}'s subnet ${networkOf(bc)}; pick an address in it`);
      if (c && bridge?.cidr && c.address === parseCidr(bridge.cidr)?.address)
        add(['vms', i, 'address'], `"${v.address}" is the address of ${v.bridge} itself; pick another host address`);
      if (c && bridge && !bridge.cidr) add(['vms', i, 'address'], `${v.bridge} has no cidr, so a static address cannot get a gateway; add a cidr to it`);
      const first = c ? addresses.get(c.address) : undefined;
      if (c && first !== undefined) add(['vms', i, 'address'], `${c.address} is already the address of vms[${first}]; each address appears once`);
      else if (c) addresses.set(c.address, i);
    }
    if (v.gpu) {
      if (!gpus.has(v.gpu)) add(['vms', i, 'gpu'], `GPU mapping "${v.gpu}" is not declared under gpus:; add it or use one of: ${[...gpus].join(', ') || '(none)'}`);
      const owner = gpuOwner.get(v.gpu);
      if (owner !== undefined)
        add(['vms', i, 'gpu'], `GPU "${v.gpu}" is already assigned to vms[${owner}] (${spec.vms[owner].id}); a GPU passes through to one VM only`);
      else gpuOwner.set(v.gpu, i);
    }
    if (v.firewall && !groups.has(v.firewall.group))
      add(['vms', i, 'firewall', 'group'], `security group "${v.firewall.group}" is not declared under firewall.groups`);
  });
  return out;
}

/**
 * A template installed from ISOs (Windows 10 LTSC): UEFI with Secure Boot keys and a TPM on q35, as
 * Windows 11-era media and the autounattend's GPT layout expect; the ISOs on storages that hold ISOs.
 */
function installChecks(t: DesiredSpec['templates'][number], i: number, needStorage: (path: FieldPath, id: string, content: string) => void, baseDir: string): Finding[] {
  const out: Finding[] = [];
  const install = t.install!;
  if (!t.ostype.startsWith('win')) out.push({ path: ['templates', i, 'install'], message: `is for Windows templates (the answer media is an autounattend.xml); ostype is ${t.ostype}, remove install or use ostype: win10` });
  if (t.bios !== 'ovmf') out.push({ path: ['templates', i, 'bios'], message: 'the unattended install partitions for UEFI (GPT); write bios: ovmf' });
  if (!t.efi) out.push({ path: ['templates', i], message: 'an OVMF install needs an EFI disk; add efi: { storage: <images storage> }' });
  if (!t.tpm) out.push({ path: ['templates', i], message: 'Windows templates carry a TPM 2.0 state; add tpm: { storage: <images storage> }' });
  if (!/^(q35|pc-q35-)/.test(t.machine)) out.push({ path: ['templates', i, 'machine'], message: `${t.machine} is not q35; the VirtIO/TPM/OVMF setup needs machine: q35` });
  needStorage(['templates', i, 'install', 'iso'], install.iso.split(':')[0], 'iso');
  needStorage(['templates', i, 'install', 'virtio'], install.virtio.split(':')[0], 'iso');
  needStorage(['templates', i, 'install', 'answer', 'storage'], install.answer.storage, 'iso');
  if (install.cloudbaseMsi && !existsSync(resolve(baseDir, install.cloudbaseMsi)))
    out.push({ path: ['templates', i, 'install', 'cloudbaseMsi'], message: `file ${install.cloudbaseMsi} does not exist (relative to the desired-state file); download CloudbaseInitSetup_x64.msi there or remove cloudbaseMsi` });
  if (install.iso === install.virtio) out.push({ path: ['templates', i, 'install', 'virtio'], message: 'is the same volume as install.iso; name the virtio-win ISO here' });
  return out;
}

/** `@vmbr1` in a rule's source or dest: the subnet of that bridge, so each subnet is written once. */
export function resolveBridgeRefs(spec: DesiredSpec): DesiredSpec {
  const nets = new Map(spec.bridges.filter((b) => b.cidr).map((b) => [`@${b.name}`, networkOf(parseCidr(b.cidr!)!)]));
  const resolve = (r: DesiredSpec['firewall']['rules'][number]) => ({
    ...r,
    ...(r.macro !== undefined ? { macro: preferredMacro(r.macro) } : {}),
    source: r.source && nets.has(r.source) ? nets.get(r.source) : r.source,
    dest: r.dest && nets.has(r.dest) ? nets.get(r.dest) : r.dest,
  });
  return {
    ...spec,
    firewall: {
      ...spec.firewall,
      rules: spec.firewall.rules.map(resolve),
      groups: spec.firewall.groups.map((g) => ({ ...g, rules: g.rules.map(resolve) })),
    },
  };
}

function duplicates(values: unknown[], report: (index: number, first: number) => void): void {
  const seen = new Map<unknown, number>();
  values.forEach((v, i) => {
    const first = seen.get(v);
    if (first === undefined) seen.set(v, i);
    else report(i, first);
  });
}
