/**
 * One API connection per node of the cluster: each node's endpoint and pinned certificate from
 * genesis.yaml (`nodes[N].endpoint.fingerprint`, else `PVE_FINGERPRINT_<NODE>`), one token for all
 * (PVE_TOKEN_ID / PVE_TOKEN_SECRET: a cluster has one token.cfg), one PVE_TRACE file for all.
 */
import { LocalHostChannel, SshHostChannel, type HostChannel } from '@genesis/host-channel';
import { PveClient } from '../client/client';
import type { PveApi, PveConnectionConfig } from '../client/types';
import type { ClusterNodeSpec, DesiredSpec } from '../state/schema';

export interface NodeConnection {
  node: string;
  api: PveApi;
  /** This node's own host channel (its files and commands: the gpu-host and host-network steps); absent: those steps only say so. */
  host?: HostChannel;
  /** The certificate fingerprint this connection pins (what the join pins for the first node). */
  fingerprint?: string;
  endpoint: string;
  /** The host the API is reached at (`nodes[].endpoint.host`): what the management guard of the node's bridges step protects. */
  address: string;
}

export interface ClusterConnections {
  nodes: Map<string, NodeConnection>;
  get(node: string): NodeConnection;
  close(): void;
}

export function connectionsFrom(
  configs: PveConnectionConfig[],
  clientOptions: ConstructorParameters<typeof PveClient>[1] = {},
  /** Task polls this often (tests against the simulator, whose tasks are short); default the client's. */
  pollIntervalMs?: number,
  /** Each node's host channel, by node name (`clusterHostChannelsFromEnv`, or a simulated host per node). */
  hosts: ReadonlyMap<string, HostChannel> = new Map(),
): ClusterConnections {
  const clients = configs.map((c) => new PveClient(c, clientOptions));
  const polled = (client: PveClient): PveApi =>
    pollIntervalMs === undefined
      ? client
      : {
          node: client.node,
          get: (path, params) => client.get(path, params),
          post: (path, params) => client.post(path, params),
          put: (path, params) => client.put(path, params),
          delete: (path, params) => client.delete(path, params),
          waitForTask: (upid, o) => client.waitForTask(upid, { pollIntervalMs, ...o }),
        };
  const nodes = new Map(
    clients.map((client, i): [string, NodeConnection] => [
      configs[i].node,
      { node: configs[i].node, api: polled(client), host: hosts.get(configs[i].node), fingerprint: configs[i].fingerprint, endpoint: `https://${configs[i].host}:${configs[i].port}`, address: configs[i].host },
    ]),
  );
  return {
    nodes,
    get: (node) => {
      const c = nodes.get(node);
      if (!c) throw new Error(`no connection to node "${node}" (nodes: ${[...nodes.keys()].join(', ')})`);
      return c;
    },
    close: () => {
      clients.forEach((c) => c.close());
      for (const h of hosts.values()) void h.close().catch(() => undefined);
    },
  };
}

const nodeEnv = (prefix: string, node: string) => `${prefix}_${node.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/**
 * Each node's host channel, the single-node settings keyed by node name: `GENESIS_HOST_<NODE>=local`
 * (Genesis runs on that node), or `PVE_SSH_<NODE>=root@192.168.1.11` (port `PVE_SSH_PORT_<NODE>`,
 * else PVE_SSH_PORT). A node with neither has no channel: its host steps are listed, not run.
 */
export function clusterHostChannelsFromEnv(spec: DesiredSpec, env: NodeJS.ProcessEnv): Map<string, HostChannel> {
  const out = new Map<string, HostChannel>();
  for (const n of spec.nodes ?? []) {
    if (env[nodeEnv('GENESIS_HOST', n.name)]?.trim() === 'local') {
      out.set(n.name, new LocalHostChannel());
      continue;
    }
    const destination = env[nodeEnv('PVE_SSH', n.name)]?.trim();
    if (!destination) continue;
    const portVar = env[nodeEnv('PVE_SSH_PORT', n.name)]?.trim() ? nodeEnv('PVE_SSH_PORT', n.name) : 'PVE_SSH_PORT';
    const port = env[portVar]?.trim() ? Number(env[portVar]) : undefined;
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`${portVar}=${env[portVar]} is not a TCP port; set it to a number such as 22`);
    out.set(n.name, new SshHostChannel({ destination, port }));
  }
  return out;
}

const envName = (node: string) => nodeEnv('PVE_FINGERPRINT', node);

/** The connection settings of every declared node; a missing token or fingerprint names the variable to set. */
export function clusterConfigsFromEnv(spec: DesiredSpec, env: NodeJS.ProcessEnv): PveConnectionConfig[] {
  const tokenId = env.PVE_TOKEN_ID?.trim();
  const tokenSecret = env.PVE_TOKEN_SECRET?.trim();
  if (!tokenId || !tokenSecret) throw new Error('PVE_TOKEN_ID and PVE_TOKEN_SECRET must be set for a cluster (one API token, the same on every node)');
  return (spec.nodes ?? []).map((n: ClusterNodeSpec) => {
    const fingerprint = n.endpoint.fingerprint ?? env[envName(n.name)]?.trim();
    if (!fingerprint && !env.PVE_CA_FILE) throw new Error(`node ${n.name}: no certificate to pin; set nodes[].endpoint.fingerprint in genesis.yaml or ${envName(n.name)} (\`pvenode cert info\` on ${n.name})`);
    return {
      host: n.endpoint.host,
      port: n.endpoint.port,
      node: n.name,
      tokenId,
      tokenSecret,
      fingerprint,
      caFile: env.PVE_CA_FILE?.trim() || undefined,
      traceFile: env.PVE_TRACE?.trim() || undefined,
    };
  });
}
