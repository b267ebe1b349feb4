/**
 * Issue 15's fault test: a firewall change (a new DROP, SSH narrowed from the LAN to the admin's
 * address, an open exporter port removed, a new ACCEPT, a DMZ group rule narrowed and a new REJECT)
 * is applied against the simulator with each single write request failing in turn (the simulator's
 * own fault injection answers 500). After every failure the host's rule lists are at least as
 * strict as the stricter of before and after, probe packet by probe packet (`testing/probe-packets`),
 * the admin's SSH and API access never drop, and the error lists what was applied. A clean run then
 * converges.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apply, ApplyStepError } from './apply';
import { pendingChanges, plan } from './plan';
import { schemaFileFor, simulatedHost, type SimulatedHost } from '../testing/simulated-host';
import { parseDesiredState, type DesiredState } from '../state/load';
import { listClusterRules, listGroupRules } from '../api/firewall';
import { ruleParams } from '../resources/firewall-edits';
import { accepts, probes, weakerThanBoth } from '../testing/probe-packets';
import type { PveApi } from '../client/types';
import type { RuleSpec } from '../state/schema';

const describeSim = existsSync(schemaFileFor('9.1')) || process.env.CI === 'true' ? describe : describe.skip;
jest.setTimeout(240_000);

const doc = (rules: string, dmz: string) => `
version: 1
node: pve
endpoint: { host: sim }
bridges:
  - { name: vmbr0, ports: [enp3s0], cidr: 192.168.1.10/24, gateway: 192.168.1.1 }
  - { name: vmbr1, cidr: 10.0.1.1/24, nat: vmbr0 }
  - { name: vmbr2, cidr: 10.0.2.1/24, nat: vmbr0 }
firewall:
  enable: true
  policy_in: DROP
  policy_out: ACCEPT
  rules:
${rules}
  groups:
    - name: intranet
      rules:
        - { type: in, action: ACCEPT, source: '@vmbr1' }
        - { type: in, action: DROP, source: '@vmbr2' }
    - name: dmz
      rules:
${dmz}
`;

const BEFORE = doc(
  `    - { type: in, action: ACCEPT, proto: tcp, dport: 8006, source: '@vmbr0', comment: API }
    - { type: in, action: ACCEPT, macro: SSH, source: '@vmbr0', comment: SSH }
    - { type: in, action: ACCEPT, proto: tcp, dport: 9100, comment: exporter }
    - { type: in, action: ACCEPT, macro: Ping }`,
  `        - { type: in, action: ACCEPT, source: '@vmbr2' }
        - { type: in, action: ACCEPT, proto: tcp, dport: '80,443' }
        - { type: out, action: DROP, dest: '@vmbr1' }`,
);
const AFTER = doc(
  `    - { type: in, action: DROP, source: 192.168.1.66, comment: compromised }
    - { type: in, action: ACCEPT, proto: tcp, dport: 8006, source: '@vmbr0', comment: API }
    - { type: in, action: ACCEPT, macro: SSH, source: 192.168.1.10, comment: SSH }
    - { type: in, action: ACCEPT, macro: Ping }
    - { type: in, action: ACCEPT, proto: tcp, dport: 9090, source: '@vmbr0', comment: metrics }`,
  `        - { type: in, action: ACCEPT, proto: tcp, dport: 443 }
        - { type: in, action: ACCEPT, source: '@vmbr2' }
        - { type: out, action: DROP, dest: '@vmbr1' }
        - { type: out, action: REJECT, proto: udp, dest: '@vmbr0' }`,
);

const ADMIN = '192.168.1.10';
const PROBES = probes([ADMIN, '192.168.1.66', '192.168.1.77', '10.0.1.5', '10.0.2.5', '8.8.8.8'], [22, 80, 443, 8006, 9090, 9100, 53]);
const POLICY = { in: 'DROP', out: 'ACCEPT' };
const MANAGEMENT = [22, 8006].map((dport) => ({ dir: 'in' as const, src: ADMIN, dst: ADMIN, proto: 'tcp' as const, dport }));
const asList = (rules: RuleSpec[]) => rules.map((r) => ruleParams(r) as unknown as Record<string, unknown>);

/** The API with its k-th write answered 500 by the simulator (0: none), counting writes. */
function faulty(host: SimulatedHost, k: number): { api: PveApi; writes: () => number } {
  let n = 0;
  const write =
    (method: 'POST' | 'PUT' | 'DELETE', call: (path: string, params?: never) => Promise<unknown>) =>
    async <T>(path: string, params?: never): Promise<T> => {
      n++;
      if (n === k) host.sim.setFaults([{ kind: 'http500', method, path: `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, count: 1 }]);
      try {
        return (await call(path, params)) as T;
      } finally {
        if (n === k) host.sim.setFaults([]);
      }
    };
  const api: PveApi = {
    ...host.api,
    post: write('POST', (p, x) => host.api.post(p, x)),
    put: write('PUT', (p, x) => host.api.put(p, x)),
    delete: write('DELETE', (p, x) => host.api.delete(p, x)),
  };
  return { api, writes: () => n };
}

describeSim('a firewall change failing at each single request (simulated PVE 9.1)', () => {
  let dir: string;
  let host: SimulatedHost;
  let before: DesiredState;
  let after: DesiredState;
  const quiet = { progress: () => undefined, kinds: ['firewall'] as const };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'genesis-fw-faults-'));
    host = await simulatedHost({ pveVersion: '9.1' });
    before = parseDesiredState(BEFORE, 'before.yaml', {}, dir);
    after = parseDesiredState(AFTER, 'after.yaml', {}, dir);
  });
  afterAll(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const hostLists = async (api: PveApi) => ({
    rules: (await listClusterRules(api)).sort((a, b) => a.pos - b.pos) as unknown as Record<string, unknown>[],
    dmz: (await listGroupRules(api, 'dmz')).sort((a, b) => a.pos - b.pos) as unknown as Record<string, unknown>[],
  });

  it('is never weaker than before and after, never cuts the admin off, and converges on a clean run', async () => {
    await apply(host.api, before, { ...quiet });
    const clean = faulty(host, 0);
    await apply(clean.api, after, { ...quiet });
    const total = clean.writes();
    // The edits, not delete-all-and-re-add: 4 host-rule and 3 group edits at least, far below 2 × 9.
    expect(total).toBeGreaterThanOrEqual(7);
    expect(total).toBeLessThan(18);
    expect(pendingChanges(await plan(host.api, after, { kinds: ['firewall'] }))).toEqual([]);

    for (let k = 1; k <= total; k++) {
      await apply(host.api, before, { ...quiet });
      expect(pendingChanges(await plan(host.api, before, { kinds: ['firewall'] }))).toEqual([]);
      const { api } = faulty(host, k);
      const error = await apply(api, after, { ...quiet }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect({ k, error: error instanceof ApplyStepError }).toEqual({ k, error: true });
      expect(error!.message).toMatch(/failed: .*\n\s+applied before it \(\d+\): .*\n\s+not applied \(\d+\): /);

      const now = await hostLists(host.api);
      const b = before.firewall;
      const a = after.firewall;
      const dmz = (s: DesiredState) => s.firewall.groups.find((g) => g.name === 'dmz')!.rules;
      expect({ k, weaker: weakerThanBoth(now.rules, asList(b.rules), asList(a.rules), POLICY, PROBES) }).toEqual({ k, weaker: [] });
      expect({ k, weaker: weakerThanBoth(now.dmz, asList(dmz(before)), asList(dmz(after)), POLICY, PROBES) }).toEqual({ k, weaker: [] });
      for (const p of MANAGEMENT) expect({ k, port: p.dport, open: accepts(now.rules, POLICY, p) }).toEqual({ k, port: p.dport, open: true });

      await apply(host.api, after, { ...quiet });
      expect(pendingChanges(await plan(host.api, after, { kinds: ['firewall'] }))).toEqual([]);
    }
  });
});
