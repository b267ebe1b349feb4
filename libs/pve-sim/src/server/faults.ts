/**
 * Fault injection as the team contract defines it: http500 and lockTimeout answer instead of
 * the model; taskFail lets the request through but makes the task it starts fail.
 */
import type { HttpMethod, RawParams } from '../model/context';
import { PveError } from '../model/errors';

export interface FaultRule {
  kind: 'http500' | 'lockTimeout' | 'taskFail';
  method?: HttpMethod;
  /** RegExp source matched against the path relative to /api2/json. */
  path?: string;
  /** 0..1, default 1. */
  rate?: number;
  /** Stop after this many hits. */
  count?: number;
}

export interface FaultOutcome {
  /** Answer with this instead of handling the request. */
  error?: PveError;
  /** The task this request starts must fail with this exitstatus. */
  taskFailure?: string;
}

/** mulberry32: a seeded generator so that rate tests are repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function parseFaultSpec(spec: string): FaultRule {
  // kind:METHOD:path-regex[:rate[:count]]; the regex may itself contain colons only if rate is given.
  const parts = spec.split(':');
  const kind = parts[0] as FaultRule['kind'];
  if (!['http500', 'lockTimeout', 'taskFail'].includes(kind)) {
    throw new Error(`--fault '${spec}': kind must be http500, lockTimeout or taskFail (e.g. http500:GET:/nodes/.*:0.2)`);
  }
  const rule: FaultRule = { kind };
  const method = parts[1];
  if (method && method !== '*' && method !== 'ANY') {
    if (!['GET', 'POST', 'PUT', 'DELETE'].includes(method.toUpperCase())) {
      throw new Error(`--fault '${spec}': method '${method}' must be GET, POST, PUT, DELETE or *`);
    }
    rule.method = method.toUpperCase() as HttpMethod;
  }
  const rest = parts.slice(2);
  const numeric = (s: string | undefined) => s !== undefined && /^\d+(\.\d+)?$/.test(s);
  if (rest.length >= 2 && numeric(rest[rest.length - 1]) && numeric(rest[rest.length - 2])) {
    rule.count = Number(rest.pop());
    rule.rate = Number(rest.pop());
  } else if (rest.length >= 2 && numeric(rest[rest.length - 1])) {
    rule.rate = Number(rest.pop());
  }
  if (rest.length > 0 && rest.join(':') !== '') rule.path = rest.join(':');
  if (rule.rate !== undefined && (rule.rate < 0 || rule.rate > 1)) {
    throw new Error(`--fault '${spec}': rate ${rule.rate} must be between 0 and 1`);
  }
  if (rule.path) new RegExp(rule.path);
  return rule;
}

function vmidOf(path: string, params: RawParams): string {
  const fromPath = /\/qemu\/(\d+)/.exec(path)?.[1];
  const fromParams = params.vmid;
  return fromPath ?? (Array.isArray(fromParams) ? fromParams[0] : fromParams) ?? '0';
}

export class FaultInjector {
  private rules: Array<{ rule: FaultRule; regex?: RegExp; hits: number }> = [];

  constructor(
    rules: FaultRule[] = [],
    private readonly random: () => number = Math.random,
  ) {
    this.set(rules);
  }

  set(rules: FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule, regex: rule.path ? new RegExp(rule.path) : undefined, hits: 0 }));
  }

  /** Decides this request's faults; a rule counts a hit only when it fires. */
  decide(method: HttpMethod, path: string, params: RawParams): FaultOutcome {
    const outcome: FaultOutcome = {};
    for (const entry of this.rules) {
      const { rule } = entry;
      if (rule.method && rule.method !== method) continue;
      if (entry.regex && !entry.regex.test(path)) continue;
      if (rule.count !== undefined && entry.hits >= rule.count) continue;
      if (this.random() >= (rule.rate ?? 1)) continue;
      if (rule.kind === 'taskFail') {
        if (outcome.taskFailure) continue;
        entry.hits++;
        outcome.taskFailure = `simulated task failure (pve-sim fault rule taskFail on ${method} ${path})`;
        continue;
      }
      entry.hits++;
      if (rule.kind === 'http500') {
        outcome.error = new PveError(500, 'Internal Server Error (pve-sim fault rule http500)');
      } else {
        const vmid = vmidOf(path, params);
        outcome.error = new PveError(500, `can't lock file '/var/lock/qemu-server/lock-${vmid}.conf' - got timeout`);
      }
      return outcome;
    }
    return outcome;
  }
}
