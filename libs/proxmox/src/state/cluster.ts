/**
 * A cluster in genesis.yaml: `cluster: { name, links }` and `nodes:` (each with its endpoint, link
 * addresses, storage devices, bridges and GPUs). Cluster-wide things are declared once at the top
 * (firewall rules and groups, templates and VMs with the `node:` they live on, HA). A file without
 * `nodes:` is one node, exactly as before.
 *
 * Each node is checked and planned as the single-node file it amounts to (`projectNode`), so every
 * single-node check applies per node; findings point at the line in the cluster file.
 */
import { cidrContains, parseCidr, parseIpv4 } from './ipv4';
import { crossCheck, resolveBridgeRefs, type FieldPath, type Finding } from './cross-checks';
import type { ClusterNodeSpec, DesiredSpec, TemplateSpec, VmSpec } from './schema';

/** Before the schema: a cluster file's `node` and `endpoint` are its first node's (written once, under nodes:). */
export function withClusterDefaults(js: unknown): unknown {
  if (!js || typeof js !== 'object' || Array.isArray(js)) return js;
  const doc = js as Record<string, unknown>;
  const first = Array.isArray(doc.nodes) ? (doc.nodes[0] as Record<string, unknown> | undefined) : undefined;
  if (!first || typeof first !== 'object') return js;
  const endpoint = first.endpoint && typeof first.endpoint === 'object' ? (first.endpoint as Record<string, unknown>) : undefined;
  return { ...doc, node: doc.node ?? first.name, endpoint: doc.endpoint ?? (endpoint ? { host: endpoint.host, port: endpoint.port } : undefined) };
}

export const isClusterSpec = (spec: DesiredSpec): spec is DesiredSpec & { nodes: ClusterNodeSpec[] } => !!spec.nodes?.length;

/** The node a template or VM is declared on (its `node:`, else the first node). */
export function declaredNode(spec: DesiredSpec, item: TemplateSpec | VmSpec): string {
  return item.node ?? spec.nodes?.[0]?.name ?? spec.node;
}

/** Each node's address on link N: declared, or the endpoint host (an IPv4 address) for link0. */
export function linkAddresses(node: ClusterNodeSpec): string[] {
  if (node.links.length) return node.links;
  return parseIpv4(node.endpoint.host) !== undefined ? [node.endpoint.host] : [];
}

export interface Projection {
  spec: DesiredSpec;
  /** Where each path of the projected spec is in the cluster file. */
  mapPath(path: FieldPath): FieldPath;
}

/**
 * The single-node file node `name` amounts to. `placement` overrides where a VM is planned (an HA
 * VM the HA manager moved is planned where it runs); default: its declared node.
 */
export function projectNode(spec: DesiredSpec, name: string, placement: ReadonlyMap<number, string> = new Map()): Projection {
  const k = spec.nodes?.findIndex((n) => n.name === name) ?? -1;
  if (!spec.nodes || k < 0) throw new Error(`node "${name}" is not declared under nodes: (${spec.nodes?.map((n) => n.name).join(', ') ?? 'no nodes'})`);
  const node = spec.nodes[k];
  const templates = spec.templates.map((t, i) => ({ t, i })).filter(({ t }) => declaredNode(spec, t) === name);
  const vms = spec.vms.map((v, i) => ({ v, i })).filter(({ v }) => (placement.get(v.id) ?? declaredNode(spec, v)) === name);
  const projected: DesiredSpec = {
    ...spec,
    node: node.name,
    endpoint: { host: node.endpoint.host, port: node.endpoint.port },
    storage: node.storage,
    bridges: node.bridges,
    gpus: node.gpus,
    templates: templates.map(({ t }) => t),
    vms: vms.map(({ v }) => v),
  };
  const perNode: Record<string, FieldPath> = { storage: ['nodes', k, 'storage'], bridges: ['nodes', k, 'bridges'], gpus: ['nodes', k, 'gpus'], node: ['nodes', k, 'name'], endpoint: ['nodes', k, 'endpoint'] };
  return {
    spec: projected,
    mapPath: ([head, index, ...rest]) => {
      if (typeof head === 'string' && perNode[head]) return [...perNode[head], ...(index === undefined ? [] : [index]), ...rest];
      if (head === 'templates' && typeof index === 'number') return ['templates', templates[index]?.i ?? index, ...rest];
      if (head === 'vms' && typeof index === 'number') return ['vms', vms[index]?.i ?? index, ...rest];
      return [head, ...(index === undefined ? [] : [index]), ...rest].filter((p) => p !== undefined) as FieldPath;
    },
  };
}

/** The checks of a cluster file: its own, then every node's single-node checks on its projection. */
export function clusterCrossCheck(spec: DesiredSpec, baseDir: string): Finding[] {
  const out: Finding[] = [];
  const add = (path: FieldPath, message: string) => out.push({ path, message });
  const nodes = spec.nodes ?? [];
  if (!spec.cluster) {
    add(['nodes'], 'declares nodes but no cluster; add cluster: { name: hive, links: [{ network: 192.168.1.0/24 }] } (or drop nodes: for one node)');
    return out;
  }
  for (const key of ['storage', 'bridges', 'gpus'] as const) {
    if (spec[key].length) add([key], `is per node in a cluster file; move it under nodes[N].${key} of the node that has it`);
  }
  const names = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (names.has(n.name)) add(['nodes', i, 'name'], `"${n.name}" is already nodes[${names.get(n.name)}]; each node appears once`);
    else names.set(n.name, i);
    const addresses = linkAddresses(n);
    if (!addresses.length) add(['nodes', i], `has no link0 address (its endpoint host "${n.endpoint.host}" is not an IPv4 address); add links: [192.168.1.11]`);
    if (addresses.length > spec.cluster!.links.length) add(['nodes', i, 'links'], `has ${addresses.length} addresses but the cluster declares ${spec.cluster!.links.length} links; give one address per cluster link`);
    addresses.forEach((a, l) => {
      const link = spec.cluster!.links[l];
      const net = link && parseCidr(link.network);
      if (net && !cidrContains(net, a))
        add(['nodes', i, n.links.length ? 'links' : 'endpoint'], `address ${a} is not in link${l}'s network ${link.network}; use an address of that network`);
    });
  });
  sharedDefinitionChecks(nodes, add);
  const known = (node: string) => names.has(node);
  const list = [...names.keys()].join(', ');
  spec.templates.forEach((t, i) => {
    if (t.node && !known(t.node)) add(['templates', i, 'node'], `node "${t.node}" is not declared under nodes: (${list})`);
  });
  const templateNode = new Map(spec.templates.map((t) => [t.id, declaredNode(spec, t)]));
  spec.vms.forEach((v, i) => {
    if (v.node && !known(v.node)) add(['vms', i, 'node'], `node "${v.node}" is not declared under nodes: (${list})`);
    const from = templateNode.get(v.template);
    if (from && from !== declaredNode(spec, v))
      add(['vms', i, 'template'], `template ${v.template} is on node ${from} but VM ${v.id} on ${declaredNode(spec, v)}; a clone from local storage stays on its node: declare a template on ${declaredNode(spec, v)}`);
    if (v.ha && v.gpu) add(['vms', i, 'ha'], `VM ${v.id} passes through GPU ${v.gpu}, which cannot move to another node; remove ha (the VM stays pinned to its GPU's node)`);
    v.ha?.nodes.forEach((n, j) => {
      if (!known(n)) add(['vms', i, 'ha', 'nodes', j], `node "${n}" is not declared under nodes: (${list})`);
    });
  });
  replicationChecks(spec, add);
  // VM ids are one namespace across the cluster.
  const ids = new Map<number, string>();
  for (const [kind, items] of [['templates', spec.templates], ['vms', spec.vms]] as const) {
    items.forEach((item, i) => {
      if (ids.has(item.id)) add([kind, i, 'id'], `VM id ${item.id} is already used by ${ids.get(item.id)}; VM ids are unique across the cluster, pick a free id`);
      else ids.set(item.id, `${kind}[${i}]`);
    });
  }
  const seen = new Set(out.map((f) => `${f.path.join('.')}|${f.message}`));
  for (const node of nodes) {
    const projection = projectNode(spec, node.name);
    for (const f of crossCheck(projection.spec, baseDir)) {
      const path = projection.mapPath(f.path);
      const key = `${path.join('.')}|${f.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push({ path, message: node.name === nodes[0].name || path[0] === 'nodes' ? f.message : `${f.message} (on node ${node.name})` });
      }
    }
  }
  return out;
}

/**
 * What several nodes declare under one id is one thing in /etc/pve: one storage.cfg entry (its
 * type, pool or path and content; the disks under a pool are each node's own), one PCI mapping
 * (its description; each node's `map` entry is its own).
 */
function sharedDefinitionChecks(nodes: ClusterNodeSpec[], add: (path: FieldPath, message: string) => void): void {
  const storageKey = (st: ClusterNodeSpec['storage'][number]) =>
    `${st.type} ${st.type === 'zfspool' ? `pool=${st.pool}` : `path=${st.path}`} content=${[...st.content].sort().join(',')}`;
  const storages = new Map<string, { node: number; key: string }>();
  const mappings = new Map<string, { node: number; description: string }>();
  nodes.forEach((n, i) => {
    n.storage.forEach((st, j) => {
      const first = storages.get(st.id);
      if (!first) storages.set(st.id, { node: i, key: storageKey(st) });
      else if (first.key !== storageKey(st))
        add(['nodes', i, 'storage', j], `storage "${st.id}" is one storage.cfg entry for the whole cluster, declared on nodes[${first.node}] as ${first.key} but here as ${storageKey(st)}; declare it the same on every node that has it, or give it another id`);
    });
    n.gpus.forEach((g, j) => {
      const first = mappings.get(g.mapping);
      if (!first) mappings.set(g.mapping, { node: i, description: g.description ?? '' });
      else if (first.description !== (g.description ?? ''))
        add(['nodes', i, 'gpus', j, 'description'], `PCI mapping "${g.mapping}" is one mapping for the whole cluster (one map entry per node); its description differs from nodes[${first.node}]'s "${first.description}": use the same one`);
    });
  });
}

/**
 * `replicate:` and HA on node-local disks. A VM's disks are on its template's `disk.storage` (a
 * linked clone stays there). PVE replicates only ZFS pools (pve-manager `PVE/CLI/pvesr.pm`
 * `$replicatable_storage_types`; qemu-server `PVE/QemuConfig.pm` `get_replicatable_volumes`:
 * `missing replicate feature on volume`), into the storage of the same id on the target
 * (`$check_wanted_volid`: `storage_check_enabled`), never to the guest's own node
 * (`PVE/API2/ReplicationConfig.pm` `create`: `Source and target must not be identical`), one job per
 * target (`PVE/ReplicationConfig.pm` `write_config`). An HA VM on a node-local pool can only be
 * started by HA where a copy of its disks is: every other node HA may pick must be a target.
 */
function replicationChecks(spec: DesiredSpec, add: (path: FieldPath, message: string) => void): void {
  const nodes = spec.nodes ?? [];
  const byName = new Map(nodes.map((n, k) => [n.name, { node: n, k }]));
  const templates = new Map(spec.templates.map((t) => [t.id, t]));
  spec.vms.forEach((v, i) => {
    const home = declaredNode(spec, v);
    const storeid = templates.get(v.template)?.disk.storage;
    const store = storeid ? byName.get(home)?.node.storage.find((st) => st.id === storeid) : undefined;
    if (v.replicate) {
      const seen = new Set<string>();
      v.replicate.to.forEach((target, j) => {
        const path: FieldPath = ['vms', i, 'replicate', 'to', j];
        if (!byName.has(target)) return add(path, `node "${target}" is not declared under nodes: (${[...byName.keys()].join(', ')})`);
        if (target === home) return add(path, `${target} is VM ${v.id}'s own node (PVE: "Source and target must not be identical"); name another node`);
        if (seen.has(target)) return add(path, `${target} is named twice; PVE keeps one replication job per guest and target`);
        seen.add(target);
        if (storeid && !byName.get(target)!.node.storage.some((st) => st.id === storeid))
          add(path, `node ${target} has no storage "${storeid}": a copy goes to the storage of the same id on the target (pvesr: storage '${storeid}' is not available on node '${target}'); declare ${storeid} under nodes[${byName.get(target)!.k}].storage`);
      });
      if (store && store.type !== 'zfspool')
        add(['vms', i, 'replicate'], `VM ${v.id}'s disks are on ${store.id}, a ${store.type} storage; PVE replicates only ZFS pools (missing replicate feature on volume '${store.id}:vm-${v.id}-disk-0'); put template ${v.template}'s disk on a zfspool storage, or remove replicate`);
    }
    if (v.ha && store && !v.gpu && nodes.length > 1) {
      const candidates = (v.ha.nodes.length ? v.ha.nodes : nodes.map((n) => n.name)).filter((n) => n !== home && byName.has(n));
      const copies = new Set(v.replicate?.to ?? []);
      const missing = candidates.filter((n) => !copies.has(n));
      if (missing.length)
        add(
          ['vms', i, v.replicate ? 'replicate' : 'ha'],
          `VM ${v.id}'s disks are on ${store.id}, ${store.type === 'zfspool' ? 'a ZFS pool' : 'a directory'} of ${home} only: HA cannot start it on ${missing.join(', ')} when ${home} fails (PVE's recovery fails: dataset does not exist); ` +
            (store.type === 'zfspool' ? `add replicate: { to: [${[...copies, ...missing].join(', ')}] } (a copy every 15 minutes)` : `put template ${v.template}'s disk on a zfspool storage and add replicate: { to: [${missing.join(', ')}] }`) +
            `${v.ha.nodes.length ? `, or list only ${home} under ha.nodes` : ''}`,
        );
    }
  });
}

/** `@vmbrN` in cluster-wide rules: the subnet of that bridge on the first node that declares it. */
export function resolveClusterBridgeRefs(spec: DesiredSpec): DesiredSpec {
  const bridges = (spec.nodes ?? []).flatMap((n) => n.bridges).filter((b, i, all) => all.findIndex((o) => o.name === b.name) === i);
  return { ...resolveBridgeRefs({ ...spec, bridges }), bridges: spec.bridges };
}

/** Single-node files: `node:` and `ha:` on templates and VMs need a cluster. */
export function singleNodeChecks(spec: DesiredSpec): Finding[] {
  const out: Finding[] = [];
  if (spec.cluster) out.push({ path: ['cluster'], message: 'declares a cluster but no nodes; add nodes: [{ name: pve1, endpoint: { host: … } }, …]' });
  spec.vms.forEach((v, i) => {
    if (v.ha) out.push({ path: ['vms', i, 'ha'], message: 'needs a cluster (HA restarts a VM on another node); remove it, or declare cluster: and nodes:' });
    if (v.replicate) out.push({ path: ['vms', i, 'replicate'], message: 'needs a cluster (replication copies the disks to another node); remove it, or declare cluster: and nodes:' });
    if (v.node && v.node !== spec.node) out.push({ path: ['vms', i, 'node'], message: `is not this file's node "${spec.node}"; remove it (one node) or declare nodes:` });
  });
  spec.templates.forEach((t, i) => {
    if (t.node && t.node !== spec.node) out.push({ path: ['templates', i, 'node'], message: `is not this file's node "${spec.node}"; remove it (one node) or declare nodes:` });
  });
  return out;
}
