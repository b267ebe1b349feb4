import type { PveApi, PveParams } from '../client/types';
import { ReadMemo } from './read-memo';
import { RoundCountingApi } from './serial-api';

/** A PveApi whose GETs wait for the test to answer them: what was asked, and when. */
function gatedApi() {
  const asked: { method: string; path: string; params?: PveParams; answer: (v: unknown) => void; fail: (e: Error) => void }[] = [];
  const call = (method: string) => (path: string, params?: PveParams) =>
    new Promise<never>((resolve, reject) => asked.push({ method, path, params, answer: resolve as (v: unknown) => void, fail: reject }));
  const api: PveApi = {
    node: 'pve',
    get: call('GET'),
    post: call('POST'),
    put: call('PUT'),
    delete: call('DELETE'),
    waitForTask: () => Promise.reject(new Error('no tasks here')),
  };
  return { api, asked };
}

describe('ReadMemo', () => {
  it('sends a GET once however many callers ask, and gives each its own copy', async () => {
    const { api, asked } = gatedApi();
    const memo = new ReadMemo(api);
    const first = memo.get<{ vmid: number }[]>('/nodes/pve/qemu');
    const second = memo.get<{ vmid: number }[]>('/nodes/pve/qemu');
    expect(asked).toHaveLength(1);
    asked[0].answer([{ vmid: 2 }, { vmid: 1 }]);
    const a = await first;
    a.sort((x, y) => x.vmid - y.vmid);
    expect(await second).toEqual([{ vmid: 2 }, { vmid: 1 }]);
    expect(await memo.get('/nodes/pve/qemu')).toEqual([{ vmid: 2 }, { vmid: 1 }]);
    expect(asked).toHaveLength(1);
    expect(memo.sent).toBe(1);
  });

  it('tells reads apart by their parameters, not by their order or undefined ones', async () => {
    const { api, asked } = gatedApi();
    const memo = new ReadMemo(api);
    void memo.get('/nodes/pve/storage/local/content', { content: 'import' });
    void memo.get('/nodes/pve/storage/local/content', { content: 'snippets' });
    void memo.get('/nodes/pve/storage/local/content', { content: 'import', vmid: undefined });
    void memo.get('/nodes/pve/network');
    void memo.get('/nodes/pve/network', { type: undefined });
    expect(asked.map((a) => `${a.path} ${JSON.stringify(a.params ?? {})}`)).toEqual([
      '/nodes/pve/storage/local/content {"content":"import"}',
      '/nodes/pve/storage/local/content {"content":"snippets"}',
      '/nodes/pve/network {}',
    ]);
  });

  it('forgets every answer at a write, and does not remember a failed read', async () => {
    const { api, asked } = gatedApi();
    const memo = new ReadMemo(api);
    const failing = memo.get('/version');
    asked[0].fail(new Error('ECONNRESET'));
    await expect(failing).rejects.toThrow('ECONNRESET');
    const again = memo.get('/version');
    expect(asked).toHaveLength(2);
    asked[1].answer({ version: '9.1.3' });
    await again;

    const write = memo.put('/cluster/firewall/options', { enable: 1 });
    asked[2].answer(null);
    await write;
    void memo.get('/version');
    expect(asked.map((a) => `${a.method} ${a.path}`)).toEqual(['GET /version', 'GET /version', 'PUT /cluster/firewall/options', 'GET /version']);
  });
});

describe('RoundCountingApi', () => {
  it('counts a request sent after an answer as one round deeper', async () => {
    const { api, asked } = gatedApi();
    const rounds = new RoundCountingApi(api);
    const a = rounds.get('/a');
    const b = rounds.get('/b');
    expect(rounds.rounds).toBe(1);
    asked[0].answer(1);
    await a;
    const c = rounds.get('/c');
    expect(rounds.rounds).toBe(2);
    asked[1].answer(2);
    asked[2].answer(3);
    await Promise.all([b, c]);
    void rounds.get('/d');
    expect(rounds.rounds).toBe(3);
  });
});
