// Runs the real entry point as a process: configuration errors stop it with EX_CONFIG and a
// message naming the variable; SIGTERM stops it with exit 0.
import { spawnService, waitForOutput } from '@genesis/service-kit/testing';
import { resolve } from 'node:path';
import { startFakeLlm } from './test-support/fake-llm';

const entry = resolve(__dirname, 'main.ts');
const run = (env: NodeJS.ProcessEnv) => spawnService(entry, env);

describe('core main', () => {
  jest.setTimeout(60_000);

  it('refuses to start without LLM_BASE_URL, naming it and the fix', async () => {
    const p = run({ PORT: '0' });
    expect(await p.exited).toBe(78);
    expect(p.err()).toContain('core: invalid configuration');
    expect(p.err()).toMatch(/LLM_BASE_URL: is required but not set; fix: set LLM_BASE_URL/);
  });

  it('serves, then exits 0 on SIGTERM without logging the API key', async () => {
    const llm = await startFakeLlm();
    const p = run({ PORT: '0', HOST: '127.0.0.1', LLM_BASE_URL: llm.baseUrl, LLM_API_KEY: 'sk-never-logged' });
    await waitForOutput(p, 'core ready', 'core');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('stopped cleanly');
    expect(p.out() + p.err()).not.toContain('sk-never-logged');
    await llm.close();
  });
});
