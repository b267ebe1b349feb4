/**
 * prefetch.ts against the real simulator over HTTPS: the reads the listings would name go out with
 * the listings; on a host that lacks them they fail once (not retried), cost no extra round, and
 * are settled before the plan returns; what a listing names beyond genesis.yaml takes a second round.
 */
import { existsSync } from 'node:fs';
import type { PveApi, PveParams, PveTaskStatus, WaitForTaskOptions } from '../client/types';
import { createGroup } from '../api/firewall';
import { genesisState } from '../testing/desired-state';
import { schemaFileFor, simulatedHost, type SimulatedHost } from '../testing/simulated-host';
import { pendingChanges, plan } from './plan';
import { RoundCountingApi } from './serial-api';

const haveSchema = existsSync(schemaFileFor('9.1'));
const describeSim = haveSchema || process.env.CI === 'true' ? describe : describe.skip;
jest.setTimeout(60_000);

/** Records every GET with its outcome, and how many are in flight. */
class RecordingApi implements PveApi {
  inFlight = 0;
  readonly gets: { path: string; params?: PveParams; ok?: boolean; error?: string }[] = [];
  constructor(private readonly inner: PveApi) {}
  get node() {
    return this.inner.node;
  }
  async get<T>(path: string, params?: PveParams): Promise<T> {
    const entry: { path: string; params?: PveParams; ok?: boolean; error?: string } = { path, ...(params ? { params } : {}) };
    this.gets.push(entry);
    this.inFlight++;
    try {
      const answer = await this.inner.get<T>(path, params);
      entry.ok = true;
      return answer;
    } catch (e) {
      entry.ok = false;
      entry.error = (e as Error).message;
      throw e;
    } finally {
      this.inFlight--;
    }
  }
  post<T>(path: string, params?: PveParams): Promise<T> {
    return this.inner.post<T>(path, params);
  }
  put<T>(path: string, params?: PveParams): Promise<T> {
    return this.inner.put<T>(path, params);
  }
  delete<T>(path: string, params?: PveParams): Promise<T> {
    return this.inner.delete<T>(path, params);
  }
  waitForTask(upid: string, options?: WaitForTaskOptions): Promise<PveTaskStatus> {
    return this.inner.waitForTask(upid, options);
  }
}

describeSim('plan prefetches what genesis.yaml declares', () => {
  const state = genesisState();
  let host: SimulatedHost;
  beforeEach(async () => {
    host = await simulatedHost();
  });
  afterEach(async () => {
    await host?.close();
  });

  it('on an empty host: one round, the declared VMs, templates and groups read once each and failed, nothing left in flight', async () => {
    const recording = new RecordingApi(host.api);
    const rounds = new RoundCountingApi(recording);
    const result = await plan(rounds, state);
    expect(recording.inFlight).toBe(0);
    expect(rounds.rounds).toBe(1);
    const failed = recording.gets.filter((g) => !g.ok);
    expect(failed.map((g) => g.path).sort()).toEqual(
      [
        ...state.vms.flatMap((v) => [`/nodes/pve/qemu/${v.id}/config`, `/nodes/pve/qemu/${v.id}/firewall/options`, `/nodes/pve/qemu/${v.id}/firewall/rules`]),
        ...state.templates.map((t) => `/nodes/pve/qemu/${t.id}/config`),
        ...state.firewall.groups.map((g) => `/cluster/firewall/groups/${g.name}`),
      ].sort(),
    );
    expect(failed.every((g) => /does not exist|no such security group/.test(g.error ?? ''))).toBe(true);
    // Sent once each: a failure that says the thing is absent is not retried.
    const paths = recording.gets.map((g) => `${g.path} ${JSON.stringify(g.params ?? {})}`);
    expect(paths.filter((p, i) => paths.indexOf(p) !== i)).toEqual([]);
    // The plan is what the listings say: the declared guests and groups are to be created.
    expect(pendingChanges(result).filter((c) => c.action === 'create').map((c) => c.id)).toEqual(expect.arrayContaining(['vm 100 (brain)', 'template 9000 (Template-Ubuntu-AI)', 'security group dmz']));
  });

  it('what the host has beyond genesis.yaml is read after its listing: a second round', async () => {
    await createGroup(host.api, 'legacy', 'made by hand');
    const recording = new RecordingApi(host.api);
    const rounds = new RoundCountingApi(recording);
    const result = await plan(rounds, state, { prune: true });
    expect(rounds.rounds).toBe(2);
    expect(recording.gets.filter((g) => g.path === '/cluster/firewall/groups/legacy')).toEqual([{ path: '/cluster/firewall/groups/legacy', ok: true }]);
    expect(result.changes.find((c) => c.id === 'security group legacy')).toBeDefined();
  });
});
