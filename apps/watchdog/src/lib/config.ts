/**
 * Owns the watchdog's configuration: one YAML file (default /etc/genesis/watchdog.yaml), validated
 * once at start. Every problem names the file, the line, the field and the fix; nothing starts
 * unless all pass. Secrets (the Proxmox token secret, the Banker token) are never in this file
 * and never on the command line: they come from files the file names, or the environment.
 */
import { readFileSync, statSync } from 'node:fs';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from '@genesis/service-kit';

export const DEFAULT_CONFIG_FILE = '/etc/genesis/watchdog.yaml';

export interface ConfigProblem {
  file: string;
  line: number;
  field: string;
  message: string;
}

export class WatchdogConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      'watchdog: invalid configuration\n' +
        problems.map((p) => `  ${p.file}:${p.line}: ${p.field ? `${p.field}: ` : ''}${p.message}`).join('\n'),
    );
    this.name = 'WatchdogConfigError';
  }
}

const ms = (min: number, max: number) => z.number().int().min(min).max(max);
const bias = z.enum(['as-is', 'pull-up', 'pull-down', 'disabled']);
const offset = z.number().int().min(0).max(511);
const url = z.string().regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'must be an http:// or https:// URL, e.g. http://10.10.20.20:3002');

const schema = z
  .object({
    gpio: z
      .object({
        chip: z.string().min(1),
        button: z
          .object({ line: offset, activeLow: z.boolean().default(true), bias: bias.default('pull-up'), debounceMs: ms(1, 2000).default(50) })
          .strict(),
        maintenance: z.object({ line: offset, activeLow: z.boolean().default(true), bias: bias.default('pull-up') }).strict().optional(),
        relay: z
          .object({
            line: offset,
            activeLow: z.boolean().default(false),
            sequenceMs: z
              .array(ms(1, 600_000))
              .min(1)
              .refine((s) => s.length % 2 === 1, 'must have an odd number of entries (active, inactive, …, active): the line ends released')
              .default([6000, 10_000, 500]),
          })
          .strict(),
      })
      .strict(),
    maintenanceFlagFile: z.string().min(1).default('/var/lib/genesis-watchdog/maintenance'),
    stateFile: z.string().min(1).default('/var/lib/genesis-watchdog/state.json'),
    listen: z
      .object({ host: z.string().min(1).default('0.0.0.0'), port: z.number().int().min(0).max(65535).default(9102) })
      .strict()
      .default({ host: '0.0.0.0', port: 9102 }),
    proxmox: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535).default(8006),
        node: z.string().min(1).default('pve'),
        tokenId: z.string().regex(/^[^\s:/@!=]+@[A-Za-z][A-Za-z0-9.\-_]+![A-Za-z][A-Za-z0-9.\-_]+$/, 'must be USER@REALM!TOKENID, e.g. genesis@pve!watchdog'),
        tokenSecretFile: z.string().min(1).optional(),
        fingerprint: z.string().min(1).optional(),
        caFile: z.string().min(1).optional(),
      })
      .strict(),
    banker: z.object({ url, tokenFile: z.string().min(1).optional(), timeoutMs: ms(100, 60_000).default(2000) }).strict(),
    killSwitch: z
      .object({
        vms: z
          .array(
            z
              .object({
                vmid: z.number().int().min(100).max(999_999_999),
                action: z.enum(['stop', 'shutdown', 'suspend']).default('stop'),
                timeoutMs: ms(1000, 600_000).default(60_000),
              })
              .strict(),
          )
          .min(1),
      })
      .strict(),
    heartbeat: z
      .object({
        intervalMs: ms(100, 600_000).default(10_000),
        timeoutMs: ms(100, 60_000).default(5000),
        missesBeforeRelay: z.number().int().min(1).max(1000).default(6),
        missWhen: z.enum(['all-fail', 'any-fail']).default('all-fail'),
        startupGraceMs: ms(0, 3_600_000).default(300_000),
        relayMinIntervalMs: ms(1000, 86_400_000).default(1_800_000),
        services: z.array(z.object({ name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a lower-case name like banker'), url }).strict()).default([]),
      })
      .strict(),
    logLevel: z.enum(LOG_LEVELS).default('info'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const lines = [['button', c.gpio.button.line], ['relay', c.gpio.relay.line], ...(c.gpio.maintenance ? [['maintenance', c.gpio.maintenance.line]] : [])] as const;
    for (const [name, line] of lines) {
      const other = lines.find(([n, l]) => n !== name && l === line);
      if (other) ctx.addIssue({ code: 'custom', path: ['gpio', name, 'line'], message: `is line ${line}, the same as gpio.${other[0]}.line; fix: wire each function to its own GPIO` });
    }
    const seen = new Set<number>();
    c.killSwitch.vms.forEach((vm, i) => {
      if (seen.has(vm.vmid)) ctx.addIssue({ code: 'custom', path: ['killSwitch', 'vms', i, 'vmid'], message: `VM ${vm.vmid} is listed twice; fix: list each VM once, in the order to stop them` });
      seen.add(vm.vmid);
    });
  });

type Parsed = z.output<typeof schema>;

export type WatchdogConfig = Omit<Parsed, 'proxmox' | 'banker' | 'logLevel'> & {
  /** The file it was read from, for messages. */
  source: string;
  proxmox: Omit<Parsed['proxmox'], 'tokenSecretFile'> & { tokenSecret: string };
  banker: Omit<Parsed['banker'], 'tokenFile'> & { token: string };
  logLevel: LogLevel;
};
export type VmStep = WatchdogConfig['killSwitch']['vms'][number];


type FieldPath = (string | number)[];

export function formatPath(path: FieldPath): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/** Reads and validates the file; secrets from `<field>File` or the environment. */
export function loadWatchdogConfig(file: string, env: NodeJS.ProcessEnv): WatchdogConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new WatchdogConfigError([
      { file, line: 0, field: '', message: `cannot read the file (${(err as Error).message}); fix: create it from infra/watchdog/watchdog.example.yaml or pass --config PATH` },
    ]);
  }
  return parseWatchdogConfig(text, file, env);
}

export function parseWatchdogConfig(text: string, file: string, env: NodeJS.ProcessEnv): WatchdogConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : lines.linePos(offset).line);
  if (doc.errors.length) {
    throw new WatchdogConfigError(doc.errors.map((e) => ({ file, line: lineOf(e.pos[0]), field: '', message: `YAML syntax: ${e.message.split('\n')[0]}` })));
  }
  const located = (path: FieldPath, message: string): ConfigProblem => {
    const node = nearestNode(doc, path);
    return { file, line: lineOf(isNode(node) ? node.range?.[0] : undefined), field: formatPath(path), message };
  };
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    throw new WatchdogConfigError(
      parsed.error.issues.map((issue) => located(issue.path as FieldPath, describe(issue, doc.hasIn(issue.path as FieldPath)))).sort((a, b) => a.line - b.line),
    );
  }
  const c = parsed.data;
  const problems: ConfigProblem[] = [];
  const secret = (field: FieldPath, fileValue: string | undefined, envName: string, what: string): string => {
    if (fileValue !== undefined) {
      try {
        const mode = statSync(fileValue).mode;
        if (mode & 0o077) {
          problems.push(located(field, `${fileValue} is readable by group or others (mode ${(mode & 0o777).toString(8)}); fix: chmod 600 ${fileValue}`));
          return '';
        }
        const value = readFileSync(fileValue, 'utf8').trim();
        if (value) return value;
        problems.push(located(field, `${fileValue} is empty; fix: write ${what} into it`));
      } catch (err) {
        problems.push(located(field, `cannot read ${fileValue} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); fix: create it with ${what}, mode 600, owned by the watchdog user`));
      }
      return '';
    }
    const value = env[envName]?.trim();
    if (value) return value;
    problems.push(located(field.slice(0, -1), `${what} is not configured; fix: set ${formatPath(field)} to a file holding it, or set ${envName} in the environment (e.g. systemd EnvironmentFile) — never on the command line`));
    return '';
  };
  const tokenSecret = secret(['proxmox', 'tokenSecretFile'], c.proxmox.tokenSecretFile, 'PVE_TOKEN_SECRET', 'the Proxmox API token secret');
  const token = secret(['banker', 'tokenFile'], c.banker.tokenFile, 'BANKER_CONTROL_TOKEN', "Banker's control token");
  if (problems.length) throw new WatchdogConfigError(problems);
  const { tokenSecretFile: _s, ...proxmox } = c.proxmox;
  const { tokenFile: _t, ...banker } = c.banker;
  return { ...c, source: file, proxmox: { ...proxmox, tokenSecret }, banker: { ...banker, token } };
}

function describe(issue: z.core.$ZodIssue, present: boolean): string {
  const field = String(issue.path[issue.path.length - 1] ?? 'the document');
  switch (issue.code) {
    case 'invalid_type':
      if (!present) return `is missing; fix: add ${field}: <${issue.expected}> (see infra/watchdog/watchdog.example.yaml)`;
      return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}; fix: ${issue.message.replace(/^Invalid input: /, '')}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; fix: remove it or correct the spelling`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
    case 'too_big':
      return `${issue.message.replace(/^Too (small|big): expected \w+ to (have|be) /, 'must be ')}`;
    default:
      return issue.message;
  }
}

/** The deepest YAML node on the path; for a map entry, its key (where the reader looks). */
function nearestNode(doc: Document, path: FieldPath): unknown {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (!isNode(node)) continue;
    if (n > 0 && (isMap(node) || isSeq(node))) {
      const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((it) => isScalar(it.key) && it.key.value === path[n - 1]);
        if (pair && isScalar(pair.key)) return pair.key;
      }
    }
    return node;
  }
  return undefined;
}
