import { existsSync, readFileSync } from 'node:fs';
import { runCli } from '../cli/run';
import { simulatedCluster, type SimulatedCluster, type TraceLine } from '../testing/sim-cluster';
import { schemaFileFor } from '../testing/simulated-host';

const describeSim = existsSync(schemaFileFor('9.1')) || process.env.CI === 'true' ? describe : describe.skip;

describeSim('the CLI on a cluster file (what the inferred infra and node-<name> projects run)', () => {
  jest.setTimeout(120_000);
  let c: SimulatedCluster;
  beforeAll(async () => {
    c = await simulatedCluster({ latencyMs: 5 });
  });
  afterAll(async () => {
    await c.close();
  });
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...argv, '--file', c.file], { out: (l) => out.push(l), err: (l) => err.push(l), env: { ...c.env, PVE_TRACE: c.trace } });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('provision --cluster-wide, then every node side by side, as nx run-many -t provision does; verify passes; plan has nothing left', async () => {
    const wide = await run('provision', '--cluster-wide');
    expect([wide.code, wide.err]).toEqual([0, '']);
    expect(wide.out).toMatch(/\+ pve1: create cluster hive[\s\S]*\+ pve2: join through pve1[\s\S]*provision \(cluster-wide part\): \d+ change/);
    const started = readFileSync(c.trace, 'utf8').split('\n').filter(Boolean).length;
    const nodes = await Promise.all(['pve1', 'pve2', 'pve3'].map((n) => run('provision', '--node', n)));
    for (const n of nodes) expect([n.code, n.err]).toEqual([0, '']);
    // The three node runs overlapped on the wire.
    const lines = readFileSync(c.trace, 'utf8').split('\n').filter(Boolean).slice(started).map((l) => JSON.parse(l) as TraceLine);
    const span = (to: string) => {
      const mine = lines.filter((l) => l.to === to);
      return [Math.min(...mine.map((l) => l.at)), Math.max(...mine.map((l) => l.at + l.ms))];
    };
    const spans = c.sims.nodes.map((s) => span(`127.0.0.1:${s.port}`));
    expect(Math.max(...spans.map((s) => s[0]))).toBeLessThan(Math.min(...spans.map((s) => s[1])));
    expect(readFileSync(c.trace, 'utf8')).not.toContain(c.sims.rootPassword);

    const verify = await run('verify');
    expect(verify.code).toBe(0);
    expect(verify.out).toMatch(/PASS {2}cluster hive has quorum[\s\S]*PASS {2}VM 110 \(banker\) running under HA[\s\S]*verify: all \d+ checks passed/);
    const plan = await run('plan');
    expect(plan.out).toMatch(/Cluster plan \(whole cluster\): 0 change\(s\)\./);
    const one = await run('plan', '--node', 'pve2');
    expect(one.out).toMatch(/Plan for node pve2[\s\S]*= ha resource vm:110[\s\S]*Cluster plan \(node pve2\): 0 change/);
    expect(one.out).not.toContain('Plan for node pve1');
    // --prune reaches the cluster-wide plan (storage.cfg once), not a node's.
    expect((await run('plan', '--prune')).out).toContain('--prune=local-lvm deletes it');
    expect((await run('plan', '--node', 'pve2', '--prune')).out).not.toContain('local-lvm');
  });

  it('drain names what stays and why; usage errors name the fix', async () => {
    const drained = await run('drain', 'pve1');
    expect(drained.out).toMatch(/STAYS {2}VM 100 \(brain\): passes through hostpci0 \(mapping rtx3090\), hardware of pve1 only; PVE cannot live-migrate it/);
    expect((await run('provision', '--node', 'pve9')).err).toMatch(/--node pve9 is not declared under nodes: \(pve1, pve2, pve3\)/);
    expect((await run('bridges')).err).toMatch(/cluster file: the step "bridges" runs per node inside provision; use provision --node NAME/);
    // The first-sync wait is a positive duration, from the flag or the environment; a wrong one names the setting before anything is read.
    const zero = await run('provision', '--replication-sync-timeout', '0');
    expect([zero.code, zero.err.split('\n')[0]]).toEqual([2, '--replication-sync-timeout: "0" is not a positive duration; write it as e.g. 90s, 10m or 1h (a bare number is seconds)']);
    const err: string[] = [];
    const badEnv = await runCli(['provision', '--file', c.file], { out: () => undefined, err: (l) => err.push(l), env: { ...c.env, GENESIS_REPLICATION_SYNC_TIMEOUT: 'soon' } });
    expect([badEnv, err]).toEqual([2, ['GENESIS_REPLICATION_SYNC_TIMEOUT: "soon" is not a positive duration; write it as e.g. 90s, 10m or 1h (a bare number is seconds)']]);
    const noToken = await runCli(['plan', '--file', c.file], { out: () => undefined, err: (l) => expect(l).toMatch(/PVE_TOKEN_ID and PVE_TOKEN_SECRET must be set/), env: {} });
    expect(noToken).toBe(1);
  });
});
