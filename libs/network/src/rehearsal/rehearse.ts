/**
 * `nx run infra:rehearse`: the network of genesis.yaml, rendered, applied with the real ifupdown2 and
 * nft in namespaces (topology.ts), then held to TASK-02's acceptance criteria. The criteria are fixed
 * by role (WAN, intranet, DMZ), not read from the policy under test: a desired state that lets the DMZ
 * into the intranet or drops NAT fails here instead of passing its own rules.
 */
import { inNs, run } from './exec';
import { icmpEcho, startSourceEcho, tcpConnect, type ProbeResult } from './probes';
import { OUTSIDE, Topology } from './topology';
import { renderHost } from '../render';
import type { NetworkSpec } from '../roles';
import { POLICY_TABLE } from '../policy';

export interface Acceptance {
  wan: string;
  intranet: string;
  dmz: string;
}

/** TASK-02: vmbr0 is the WAN, vmbr1 the intranet, vmbr2 the DMZ. */
export const TASK_02: Acceptance = { wan: 'vmbr0', intranet: 'vmbr1', dmz: 'vmbr2' };

export interface Expectation {
  name: string;
  ok: boolean;
  detail: string;
}

export interface RehearsalResult {
  prefix: string;
  expectations: Expectation[];
  ok: boolean;
}

export interface RehearsalOptions {
  acceptance?: Acceptance;
  log?: (line: string) => void;
  /** Called with the topology once it is up (the CLI uses it to clean up on a signal). */
  onTopology?: (t: Topology) => void;
  port?: number;
}

/** Positive checks retry (a loaded machine, first ARP); negative ones run after them, twice. */
async function eventually(probe: () => Promise<ProbeResult>, deadlineMs = 30_000): Promise<ProbeResult> {
  const end = Date.now() + deadlineMs;
  let last = await probe();
  while (!last.ok && Date.now() < end) last = await probe();
  return last;
}

async function never(probe: () => Promise<ProbeResult>): Promise<ProbeResult> {
  let last: ProbeResult = { ok: false, detail: '' };
  for (let i = 0; i < 2; i++) {
    last = await probe();
    if (last.ok) return { ok: false, detail: `got through: ${last.detail}` };
  }
  return { ok: true, detail: last.detail };
}

export async function rehearse(spec: NetworkSpec, options: RehearsalOptions = {}): Promise<RehearsalResult> {
  const acc = options.acceptance ?? TASK_02;
  const port = options.port ?? 8080;
  const log = options.log ?? (() => undefined);
  for (const name of [acc.wan, acc.intranet, acc.dmz])
    if (!spec.bridges.some((b) => b.name === name && b.cidr))
      throw new Error(`rehearsal: bridge ${name} (${roleOf(acc, name)}) is not declared with a cidr in genesis.yaml bridges:`);

  const topo = new Topology(spec, acc.wan, log);
  options.onTopology?.(topo);
  const results: Expectation[] = [];
  const expect = (name: string, r: ProbeResult) => {
    results.push({ name, ok: r.ok, detail: r.detail });
  };
  try {
    await topo.build(renderHost(spec));
    const hostWan = topo.managementCidr.split('/')[0];
    const managementKept = async (): Promise<ProbeResult> => {
      const r = await run(['ip', '-n', topo.ns.host, '-4', '-o', 'addr', 'show', 'dev', acc.wan]);
      const ok = r.code === 0 && r.stdout.includes(` ${topo.managementCidr} `);
      return { ok, detail: ok ? `${topo.managementCidr} on ${acc.wan}` : `${acc.wan} holds: ${r.stdout.trim() || r.stderr.trim()}` };
    };
    expect(`host holds its management address ${topo.managementCidr} on ${acc.wan} after ifup`, await managementKept());
    const table = await run(inNs(topo.ns.host, ['nft', 'list', 'table', 'inet', POLICY_TABLE]));
    expect(`host loaded the policy (table inet ${POLICY_TABLE}) from the interfaces' post-up`, {
      ok: table.code === 0,
      detail: table.code === 0 ? `${table.stdout.split('\n').filter((l) => /^\s+(iifname|oifname|ct|ip) /.test(l)).length} rules` : table.stderr.trim(),
    });

    const vm = (bridge: string) => {
      const v = topo.vms.get(bridge);
      if (!v) throw new Error(`rehearsal: no test VM on ${bridge}; declare ${bridge} with a cidr`);
      return v;
    };
    topo.track(await startSourceEcho(topo.ns.out, OUTSIDE.address, port));
    topo.track(await startSourceEcho(vm(acc.intranet).ns, vm(acc.intranet).address, port));
    const out = OUTSIDE.address;
    const reachesOut = async (bridge: string, source: string, through: string) => {
      const v = vm(bridge);
      expect(`VM on ${bridge} (${v.address}) pings the outside host ${out}`, await eventually(() => icmpEcho(v.ns, out)));
      const tcp = await eventually(() => tcpConnect(v.ns, out, port));
      const seen = (tcp as { seen?: string }).seen;
      expect(`VM on ${bridge} opens TCP to ${out}:${port}${through}; the outside sees ${source}`, {
        ok: tcp.ok && seen === source,
        detail: tcp.ok && seen !== source ? `outside saw ${seen}, not ${source}` : tcp.detail,
      });
    };
    await reachesOut(acc.wan, vm(acc.wan).address, '');
    await reachesOut(acc.intranet, hostWan, ' through NAT');
    await reachesOut(acc.dmz, hostWan, ' through NAT');

    // Declared port forwards (TCP, to a test VM): the outside opens them on the host's WAN address.
    const listening = new Set([`${vm(acc.intranet).address}:${port}`]);
    for (const b of spec.bridges)
      for (const f of b.forwards) {
        const v = topo.vms.get(b.name);
        if (f.proto !== 'tcp' || v?.address !== f.to) {
          log(`not rehearsed: forward ${f.proto} ${f.port} → ${f.to} (only TCP to a test VM: ${[...topo.vms.values()].map((x) => x.address).join(', ')})`);
          continue;
        }
        const toPort = f.to_port ?? f.port;
        if (!listening.has(`${f.to}:${toPort}`)) {
          topo.track(await startSourceEcho(v.ns, v.address, toPort));
          listening.add(`${f.to}:${toPort}`);
        }
        const tcp = await eventually(() => tcpConnect(topo.ns.out, hostWan, f.port));
        const seen = (tcp as { seen?: string }).seen;
        expect(`outside ${out} opens the declared forward ${hostWan}:${f.port} to ${f.to}:${toPort} on ${b.name}`, {
          ok: tcp.ok && seen === out,
          detail: tcp.ok && seen !== out ? `the VM saw ${seen}, not ${out}` : tcp.detail,
        });
      }

    const target = vm(acc.intranet);
    expect(`outside ${out} cannot ping the VM on ${acc.intranet} (${target.address}), with a route to it through the host`, await never(() => icmpEcho(topo.ns.out, target.address)));
    expect(`outside ${out} cannot open TCP to the VM on ${acc.intranet} (${target.address}:${port})`, await never(() => tcpConnect(topo.ns.out, target.address, port)));
    expect(`VM on ${acc.dmz} cannot ping the VM on ${acc.intranet} (${target.address})`, await never(() => icmpEcho(vm(acc.dmz).ns, target.address)));
    expect(`VM on ${acc.dmz} cannot open TCP to the VM on ${acc.intranet} (${target.address}:${port})`, await never(() => tcpConnect(vm(acc.dmz).ns, target.address, port)));
    expect(`host still holds ${topo.managementCidr} on ${acc.wan} at the end`, await managementKept());
  } finally {
    await topo.cleanup();
  }
  return { prefix: topo.prefix, expectations: results, ok: results.length > 0 && results.every((r) => r.ok) };
}

function roleOf(acc: Acceptance, name: string): string {
  return name === acc.wan ? 'the WAN' : name === acc.intranet ? 'the intranet' : 'the DMZ';
}

/** The matrix as the CLI prints it. */
export function formatMatrix(result: RehearsalResult): string {
  const lines = result.expectations.map((e) => `${e.ok ? 'PASS' : 'FAIL'}  ${e.name}\n      ${e.detail}`);
  const failed = result.expectations.filter((e) => !e.ok).length;
  lines.push(failed ? `${failed} of ${result.expectations.length} expectations FAILED` : `all ${result.expectations.length} expectations PASS`);
  return lines.join('\n');
}
