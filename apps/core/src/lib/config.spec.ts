import { ConfigError, loadCoreConfig, redactUrl } from './config';

const valid = { LLM_BASE_URL: 'http://10.0.1.100:8000/v1/' };

function issuesOf(env: NodeJS.ProcessEnv) {
  try {
    loadCoreConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('loadCoreConfig', () => {
  it('applies defaults and strips the trailing slash of the base URL', () => {
    expect(loadCoreConfig(valid)).toEqual({
      host: '0.0.0.0',
      port: 3001,
      llmBaseUrl: 'http://10.0.1.100:8000/v1',
      llmApiKey: undefined,
      llmTimeoutMs: 120_000,
      llmIdleTimeoutMs: 60_000,
      readyCacheMs: 5_000,
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
    });
  });

  it('names a missing LLM_BASE_URL and says how to fix it', () => {
    const [issue] = issuesOf({});
    expect(issue.variable).toBe('LLM_BASE_URL');
    expect(issue.problem).toBe('is required but not set');
    expect(issue.fix).toContain('http://10.0.1.100:8000/v1');
  });

  it('treats an empty value as unset (compose writes VAR= for ${VAR:-})', () => {
    expect(loadCoreConfig({ ...valid, PORT: '', LLM_API_KEY: '' })).toMatchObject({ port: 3001, llmApiKey: undefined });
  });

  it('reports every bad variable at once with the value it got', () => {
    const issues = issuesOf({ LLM_BASE_URL: 'ftp://x', PORT: '70000', LOG_LEVEL: 'loud' });
    expect(issues.map((i) => i.variable).sort()).toEqual(['LLM_BASE_URL', 'LOG_LEVEL', 'PORT']);
    const port = issues.find((i) => i.variable === 'PORT');
    expect(port?.problem).toContain('"70000"');
    expect(port?.fix).toContain('between 1 and 65535');
  });

  it('puts variable and fix into the error message the process prints', () => {
    expect(() => loadCoreConfig({ LLM_BASE_URL: 'not a url' })).toThrow(/LLM_BASE_URL: must be an http\(s\) URL .*fix: set LLM_BASE_URL/);
  });

  it('keeps the API key and URL credentials out of messages and logs', () => {
    expect(loadCoreConfig({ ...valid, LLM_API_KEY: 'sk-secret' }).llmApiKey).toBe('sk-secret');
    expect(redactUrl('http://user:pw@llm:8000/v1/')).toBe('http://llm:8000/v1');
  });
});
