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
    if (v.node && v.node !== spec.node) out.push({ path: ['vms', i, 'node'], message: `is not this file's node "${spec.node}"; remove it (one node) or declare nodes:` });
  });
  spec.templates.forEach((t, i) => {
    if (t.node && t.node !== spec.node) out.push({ path: ['templates', i, 'node'], message: `is not this file's node "${spec.node}"; remove it (one node) or declare nodes:` });
  });
  return out;
}
