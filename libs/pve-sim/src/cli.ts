#!/usr/bin/env node
/**
 * `nx run pve-sim:serve -- --port 8006`: runs the simulator in the foreground and prints what a
 * client needs (URL, tokens, fingerprint, env lines).
 */
import { parseArgs } from 'node:util';
import { parseFaultSpec, parsePveVersion, startSimCluster, startSimulator, type FaultRule, type RunningSimCluster, type RunningSimulator } from './index';

/** What a client of a simulated cluster needs: each node's URL and fingerprint, the token, the join password. */
export function describeCluster(sims: RunningSimCluster): string {
  const t = sims.nodes[0].tokens.provisioner;
  return [
    `pve-sim: a cluster of ${sims.nodes.length} Proxmox VE ${sims.nodes[0].release.version.version} nodes (not yet clustered: create and join through the API)`,
    ...sims.nodes.map((n) => `  ${n.node.padEnd(6)} ${n.url}/api2/json  address ${sims.cluster.hostOf(n.node).behaviour.management.cidr}  fingerprint ${n.fingerprint}`),
    `root@pam password (for /cluster/config/join): ${sims.rootPassword}`,
    'env for a cluster genesis.yaml (provisioner token, the same on every node):',
    [
      `PVE_TOKEN_ID=${t.id} PVE_TOKEN_SECRET=${t.secret} GENESIS_CLUSTER_PASSWORD=${sims.rootPassword}`,
      ...sims.nodes.map((n) => `PVE_FINGERPRINT_${n.node.toUpperCase()}=${n.fingerprint}`),
    ].join(' '),
  ].join('\n');
}

const USAGE = `Usage: pve-sim [--pve-version 9.1|8.4] [--port 8006] [--host 127.0.0.1] [--node pve] [--schema FILE]
               [--state FILE] [--latency-ms N] [--fault kind:METHOD:path-regex[:rate[:count]]]... [--nodes N]
  --nodes N: a cluster of N nodes pve1…pveN (not yet clustered), node i on port+i-1, state in memory.
  --pve-version: the Proxmox VE release to be (default 9.1): its schema, /version and behaviour.
  --fault is repeatable; kind is http500, lockTimeout or taskFail; METHOD may be '*'.
  e.g. --fault http500:GET:/nodes/.*:0.2 --fault lockTimeout:POST:/qemu/100/config:1:2`;

export function describe(sim: RunningSimulator, injected: { latencyMs?: number; faults?: FaultRule[]; stateFile?: string } = {}): string {
  const t = sim.tokens;
  const faults = (injected.faults ?? []).map((f) => `${f.kind} ${f.method ?? '*'} ${f.path ?? '.*'} rate=${f.rate ?? 1}${f.count !== undefined ? ` count=${f.count}` : ''}`);
  return [
    `pve-sim: Proxmox VE ${sim.release.version.version} API simulator listening on ${sim.url}/api2/json (node '${sim.node}')`,
    `schema:      ${sim.schemaPath ?? 'none - requests are not validated'}`,
    `state:       ${injected.stateFile ?? 'in memory (pass --state FILE to keep it)'}`,
    ...(injected.latencyMs ? [`latency:     ${injected.latencyMs} ms per request`] : []),
    ...faults.map((f) => `fault:       ${f}`),
    `fingerprint: ${sim.fingerprint}`,
    'tokens (Authorization: PVEAPIToken=<id>=<secret>):',
    `  root        id=${t.root.id} secret=${t.root.secret}`,
    `  provisioner id=${t.provisioner.id} secret=${t.provisioner.secret}`,
    `  auditor     id=${t.auditor.id} secret=${t.auditor.secret}`,
    'env for the client (root token):',
    `PVE_HOST=${sim.host} PVE_PORT=${sim.port} PVE_NODE=${sim.node} PVE_FINGERPRINT=${sim.fingerprint} ` +
      `PVE_TOKEN_ID=${t.root.id} PVE_TOKEN_SECRET=${t.root.secret}`,
  ].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'pve-version': { type: 'string' },
      port: { type: 'string', default: '8006' },
      host: { type: 'string', default: '127.0.0.1' },
      node: { type: 'string', default: 'pve' },
      schema: { type: 'string' },
      state: { type: 'string' },
      'latency-ms': { type: 'string', default: '0' },
      fault: { type: 'string', multiple: true, default: [] },
      nodes: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  const latencyMs = Number(values['latency-ms']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port '${values.port}' must be 0..65535`);
  if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new Error(`--latency-ms '${values['latency-ms']}' must be >= 0`);
  const faults: FaultRule[] = (values.fault ?? []).map(parseFaultSpec);
  const pveVersion = parsePveVersion(values['pve-version']);
  if (values.nodes !== undefined) {
    const count = Number(values.nodes);
    if (!Number.isInteger(count) || count < 1 || count > 32) throw new Error(`--nodes '${values.nodes}' must be 1..32`);
    if (values.state) throw new Error('--state is for one node; a simulated cluster keeps its state in memory');
    const sims = await startSimCluster({ nodes: count, pveVersion, basePort: port, host: values.host, schemaPath: values.schema, latencyMs, faults });
    console.log(describeCluster(sims));
    const stop = () => void sims.stop().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return;
  }
  const sim = await startSimulator({
    pveVersion,
    port,
    host: values.host,
    node: values.node,
    schemaPath: values.schema,
    stateFile: values.state,
    latencyMs,
    faults,
  });
  console.log(describe(sim, { latencyMs, faults, stateFile: values.state }));
  const shutdown = () => {
    void sim.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`pve-sim: ${(error as Error).message}\n${USAGE}`);
    process.exit(1);
  });
}
