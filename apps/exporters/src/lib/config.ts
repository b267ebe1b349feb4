/**
 * Exporter configuration: defaults, then an optional YAML file (EXPORTERS_CONFIG), then environment
 * variables, validated with zod. Errors name the source (file or variable), the field and the fix.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const DEFAULT_PORT = 9101;

const endpointSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, ".", "_" or "-" (it becomes a label value)'),
  kind: z.enum(['vllm', 'llamacpp', 'ollama']),
  url: z.string().url('an absolute http(s) URL such as http://10.0.1.10:8000 (a path prefix such as http://host/vllm/ is kept)'),
  /** A file holding the API key (llama-server --api-key, vLLM --api-key), e.g. a Docker secret. */
  apiKeyFile: z.string().min(1).optional(),
  /** The name of an environment variable holding the API key. */
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name such as LLAMACPP_API_KEY').optional(),
});

const configSchema = z
  .object({
    mode: z.enum(['real', 'mock']).default('real'),
    host: z.string().min(1).default('0.0.0.0'),
    port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    gpu: z
      .object({
        enabled: z.boolean().default(true),
        nvidiaSmi: z.string().min(1).default('nvidia-smi'),
        intervalSeconds: z.number().positive().default(5),
        timeoutSeconds: z.number().positive().default(10),
        /** Default: 3 intervals plus the timeout. */
        maxSampleAgeSeconds: z.number().positive().optional(),
      })
      .strict()
      .prefault({}),
    llm: z
      .object({
        enabled: z.boolean().default(true),
        intervalSeconds: z.number().positive().default(10),
        timeoutSeconds: z.number().positive().default(5),
        /** Default: 3 intervals plus the timeout. */
        maxSampleAgeSeconds: z.number().positive().optional(),
        endpoints: z.array(endpointSchema).default([]),
      })
      .strict()
      .prefault({}),
    proxmox: z
      .object({
        enabled: z.boolean().default(false),
        intervalSeconds: z.number().positive().default(30),
        timeoutSeconds: z.number().positive().default(20),
        /** Default: 3 intervals plus the timeout. */
        maxSampleAgeSeconds: z.number().positive().optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

type ParsedConfig = z.infer<typeof configSchema>;
type WithAge<T> = Omit<T, 'maxSampleAgeSeconds'> & { maxSampleAgeSeconds: number };
export type ExporterConfig = Omit<ParsedConfig, 'gpu' | 'llm' | 'proxmox'> & {
  gpu: WithAge<ParsedConfig['gpu']>;
  llm: Omit<WithAge<ParsedConfig['llm']>, 'endpoints'> & { endpoints: LlmEndpoint[] };
  proxmox: WithAge<ParsedConfig['proxmox']>;
};
/** An endpoint as the collector uses it: the key read from apiKeyFile or apiKeyEnv (never logged). */
export type LlmEndpoint = z.infer<typeof endpointSchema> & { apiKey?: string };
export type LlmKind = LlmEndpoint['kind'];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function envBoolean(env: Env, name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name}="${raw}" is not a boolean: use true or false`);
}

function envNumber(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new ConfigError(`${name}="${raw}" is not a number`);
  return value;
}

/** `name=kind@url,name=kind@url`, e.g. `brain=vllm@http://10.0.1.10:8000`. */
export function parseEndpointList(raw: string, variable = 'EXPORTERS_LLM_ENDPOINTS'): unknown[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const match = /^([^=]+)=([a-z]+)@(.+)$/.exec(item);
      if (!match) throw new ConfigError(`${variable}: "${item}" is not name=kind@url (for example brain=vllm@http://10.0.1.10:8000)`);
      return { name: match[1], kind: match[2], url: match[3] };
    });
}

function prune<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function readFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`EXPORTERS_CONFIG=${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid YAML: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${path}: the top level must be a mapping (mode, port, gpu, llm, proxmox)`);
  return parsed as Record<string, unknown>;
}

function readApiKey(endpoint: LlmEndpoint, env: Env, source: string): string | undefined {
  const where = `invalid exporter configuration (${source}): llm.endpoints "${endpoint.name}"`;
  if (endpoint.apiKeyFile && endpoint.apiKeyEnv) throw new ConfigError(`${where}: set apiKeyFile or apiKeyEnv, not both`);
  if (endpoint.apiKeyFile) {
    let key: string;
    try {
      key = readFileSync(endpoint.apiKeyFile, 'utf8').trim();
    } catch (error) {
      throw new ConfigError(`${where}: apiKeyFile ${endpoint.apiKeyFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); mount the key file there or fix the path`);
    }
    if (!key) throw new ConfigError(`${where}: apiKeyFile ${endpoint.apiKeyFile} is empty; write the key the server was started with (--api-key) into it`);
    return key;
  }
  if (endpoint.apiKeyEnv) {
    const key = env[endpoint.apiKeyEnv]?.trim();
    if (!key) throw new ConfigError(`${where}: apiKeyEnv names ${endpoint.apiKeyEnv}, which is not set; set it to the key the server was started with (--api-key)`);
    return key;
  }
  return undefined;
}

/** Loads and validates; throws ConfigError naming the file or variable and the field. */
export function loadConfig(env: Env = process.env): ExporterConfig {
  const source = env.EXPORTERS_CONFIG ? env.EXPORTERS_CONFIG : 'environment';
  const file = env.EXPORTERS_CONFIG ? readFile(env.EXPORTERS_CONFIG) : {};
  const section = (key: string) => (typeof file[key] === 'object' && file[key] !== null ? (file[key] as Record<string, unknown>) : file[key]);
  const merged: Record<string, unknown> = {
    ...file,
    ...prune({
      mode: env.EXPORTERS_MODE || undefined,
      host: env.EXPORTERS_HOST || undefined,
      port: envNumber(env, 'EXPORTERS_PORT'),
      logLevel: env.LOG_LEVEL || undefined,
    }),
    gpu: {
      ...(section('gpu') as object),
      ...prune({
        enabled: envBoolean(env, 'EXPORTERS_GPU_ENABLED'),
        nvidiaSmi: env.NVIDIA_SMI || undefined,
        intervalSeconds: envNumber(env, 'EXPORTERS_GPU_INTERVAL_SECONDS'),
        timeoutSeconds: envNumber(env, 'EXPORTERS_GPU_TIMEOUT_SECONDS'),
        maxSampleAgeSeconds: envNumber(env, 'EXPORTERS_GPU_MAX_SAMPLE_AGE_SECONDS'),
      }),
    },
    llm: {
      ...(section('llm') as object),
      ...prune({
        enabled: envBoolean(env, 'EXPORTERS_LLM_ENABLED'),
        intervalSeconds: envNumber(env, 'EXPORTERS_LLM_INTERVAL_SECONDS'),
        maxSampleAgeSeconds: envNumber(env, 'EXPORTERS_LLM_MAX_SAMPLE_AGE_SECONDS'),
        endpoints: env.EXPORTERS_LLM_ENDPOINTS ? parseEndpointList(env.EXPORTERS_LLM_ENDPOINTS) : undefined,
      }),
    },
    proxmox: {
      ...(section('proxmox') as object),
      ...prune({
        enabled: envBoolean(env, 'EXPORTERS_PROXMOX_ENABLED'),
        intervalSeconds: envNumber(env, 'EXPORTERS_PROXMOX_INTERVAL_SECONDS'),
        maxSampleAgeSeconds: envNumber(env, 'EXPORTERS_PROXMOX_MAX_SAMPLE_AGE_SECONDS'),
      }),
    },
  };
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    // One line, so a container log or systemd status shows the whole reason.
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    throw new ConfigError(`invalid exporter configuration (${source}): ${problems.join('; ')}`);
  }
  const config = result.data as ExporterConfig;
  for (const key of ['gpu', 'llm', 'proxmox'] as const) {
    const section = config[key];
    section.maxSampleAgeSeconds ??= 3 * section.intervalSeconds + section.timeoutSeconds;
    if (section.maxSampleAgeSeconds <= section.intervalSeconds) {
      throw new ConfigError(
        `invalid exporter configuration (${source}): ${key}.maxSampleAgeSeconds (${section.maxSampleAgeSeconds}) must be longer than ${key}.intervalSeconds (${section.intervalSeconds}), or every sample would expire before the next; e.g. ${section.intervalSeconds * 3}`,
      );
    }
  }
  const names = new Set<string>();
  for (const endpoint of config.llm.endpoints) {
    if (names.has(endpoint.name)) throw new ConfigError(`invalid exporter configuration (${source}): llm.endpoints: the name "${endpoint.name}" is used twice; names must be unique`);
    names.add(endpoint.name);
    endpoint.apiKey = readApiKey(endpoint, env, source);
  }
  return config;
}
