import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

const dir = mkdtempSync(join(tmpdir(), 'exporters-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('exporter config', () => {
  it('has working defaults: port 9101, nvidia-smi from PATH, no endpoints, Proxmox off', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ mode: 'real', port: 9101, gpu: { enabled: true, nvidiaSmi: 'nvidia-smi', intervalSeconds: 5 }, llm: { endpoints: [] }, proxmox: { enabled: false } });
  });

  it('reads the YAML file, then lets the environment override it', () => {
    const path = file(
      'ok.yaml',
      'mode: mock\nport: 9200\ngpu:\n  intervalSeconds: 2\nllm:\n  endpoints:\n    - { name: brain, kind: vllm, url: "http://10.0.1.10:8000" }\n',
    );
    const c = loadConfig({ EXPORTERS_CONFIG: path, EXPORTERS_PORT: '9300', NVIDIA_SMI: '/usr/local/bin/nvidia-smi' });
    expect(c.mode).toBe('mock');
    expect(c.port).toBe(9300);
    expect(c.gpu).toMatchObject({ intervalSeconds: 2, nvidiaSmi: '/usr/local/bin/nvidia-smi' });
    expect(c.llm.endpoints).toEqual([{ name: 'brain', kind: 'vllm', url: 'http://10.0.1.10:8000' }]);
  });

  it('reads endpoints from EXPORTERS_LLM_ENDPOINTS', () => {
    const c = loadConfig({ EXPORTERS_LLM_ENDPOINTS: 'brain=vllm@http://10.0.1.10:8000, edge=llamacpp@http://10.0.1.11:8080' });
    expect(c.llm.endpoints.map((e) => e.kind)).toEqual(['vllm', 'llamacpp']);
  });

  it('names the file and the field of a bad value', () => {
    const path = file('bad.yaml', 'llm:\n  endpoints:\n    - { name: brain, kind: tgi, url: "http://x:1" }\n');
    expect(() => loadConfig({ EXPORTERS_CONFIG: path })).toThrow(ConfigError);
    expect(() => loadConfig({ EXPORTERS_CONFIG: path })).toThrow(new RegExp(`${path}[\\s\\S]*llm\\.endpoints\\.0\\.kind`));
  });

  it('rejects unknown keys, duplicate endpoint names, bad variables and unreadable files', () => {
    expect(() => loadConfig({ EXPORTERS_CONFIG: file('typo.yaml', 'gpu:\n  intervalSecs: 2\n') })).toThrow(/gpu: Unrecognized key.*intervalSecs/);
    expect(() => loadConfig({ EXPORTERS_LLM_ENDPOINTS: 'a=vllm@http://x:1,a=ollama@http://y:2' })).toThrow(/"a" is used twice/);
    expect(() => loadConfig({ EXPORTERS_LLM_ENDPOINTS: 'brain http://x' })).toThrow(/name=kind@url/);
    expect(() => loadConfig({ EXPORTERS_GPU_ENABLED: 'maybe' })).toThrow(/EXPORTERS_GPU_ENABLED="maybe"/);
    expect(() => loadConfig({ EXPORTERS_CONFIG: join(dir, 'missing.yaml') })).toThrow(/missing\.yaml: cannot read the file \(ENOENT\)/);
    expect(() => loadConfig({ EXPORTERS_CONFIG: file('list.yaml', '- a\n') })).toThrow(/top level must be a mapping/);
  });
});
