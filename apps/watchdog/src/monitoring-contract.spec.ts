/**
 * The contract between the watchdog and Prometheus: every metric the watchdog alert rules read is
 * one the watchdog really serves (or Prometheus writes itself), and its genesis_watchdog_* families
 * pass `promtool check metrics` where promtool is installed (CI: always).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { WatchdogMetrics } from './lib/metrics';

const RULES = join(__dirname, '../../../infra/compose/prometheus/rules/watchdog.yml');
const PROMETHEUS_BUILTIN = new Set(['up']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring']);

/** Metric names an expression selects (not functions, labels, keywords or durations). */
function metricNames(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '').replace(/\[[^\]]*\]/g, '');
  return [...bare.matchAll(/(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)].map((m) => m[1]).filter((n) => !KEYWORDS.has(n));
}

function promtoolAvailable(): boolean {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI === 'true') throw new Error('promtool not found; run scripts/setup/install-dependencies.sh (Debian package prometheus)');
    return false;
  }
}

describe('watchdog monitoring contract', () => {
  const metrics = new WatchdogMetrics();
  metrics.info.set({ libgpiod_version: '2.2.1', generation: '2' }, 1);

  it('serves every metric its alert rules read, and every alert says what, why and where to look', async () => {
    const served = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
    const doc = parseYaml(readFileSync(RULES, 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string; annotations: Record<string, string> }> }>;
    };
    const rules = doc.groups.flatMap((g) => g.rules);
    const missing = rules.flatMap((r) => metricNames(r.expr).filter((n) => !served.has(n) && !PROMETHEUS_BUILTIN.has(n)).map((n) => `${r.alert}: ${n}`));
    expect(missing).toEqual([]);
    const runbook = readFileSync(join(__dirname, '../../../infra/watchdog/RUNBOOK.md'), 'utf8');
    for (const rule of rules) {
      expect(Object.keys(rule.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
      const anchor = rule.annotations.runbook_url.split('#')[1];
      expect(rule.annotations.runbook_url).toBe(`infra/watchdog/RUNBOOK.md#${rule.alert.toLowerCase()}`);
      expect(runbook).toContain(`## ${rule.alert}`);
      expect(anchor).toBe(rule.alert.toLowerCase());
    }
  });

  it('passes promtool check metrics', async () => {
    if (!promtoolAvailable()) {
      console.warn('promtool not found: skipping `promtool check metrics` (install the Debian package prometheus)');
      return;
    }
    // Ours only: prom-client's default nodejs_* gauges end in _total, which promtool's lint flags.
    const ours = (await metrics.registry.metrics()).split('\n').filter((l) => /^(# (HELP|TYPE) )?genesis_watchdog_/.test(l));
    expect(ours.length).toBeGreaterThan(20);
    execFileSync('promtool', ['check', 'metrics'], { input: ours.join('\n') + '\n' });
  });
});
