/**
 * The contract between the exporter and what reads it: every metric a Grafana dashboard or an
 * alert rule queries must be one the exporter really serves (checked against mock mode, which
 * produces every family the real collectors do), and the dashboards must be valid Grafana JSON.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { parsePrometheusText } from './collectors/llm/prometheus-text';
import { loadConfig } from './lib/config';
import { createExporter } from './lib/exporter';

const COMPOSE = join(__dirname, '../../../infra/compose');
const DASHBOARDS = join(COMPOSE, 'grafana/dashboards');
const RULES = join(COMPOSE, 'prometheus/rules');
/** Series Prometheus itself writes. */
const PROMETHEUS_BUILTIN = new Set(['up']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'group_left', 'group_right']);

/** Metric names a PromQL expression selects (not functions, labels, keywords or Grafana variables). */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\$\w+/g, '');
  const names = [...bare.matchAll(/(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()/g)].map((m) => m[1]);
  return names.filter((n) => !KEYWORDS.has(n.toLowerCase()));
}

let served: Set<string>;

beforeAll(async () => {
  const exporter = createExporter(loadConfig({ EXPORTERS_MODE: 'mock', EXPORTERS_PROXMOX_ENABLED: 'true' }), pino({ level: 'silent' }));
  await exporter.sampleNow();
  served = new Set(parsePrometheusText(exporter.page.current().toString()).map((s) => s.name));
  await exporter.stop();
});

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ expr: string; refId: string }>;
}

const dashboardFiles = readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json'));

describe('metric name extraction', () => {
  it('finds the metrics and skips functions, labels, ranges and variables', () => {
    expect(
      metricNames('histogram_quantile(0.95, sum by (endpoint, le) (rate(genesis_llm_x_bucket{endpoint=~"$endpoint"}[5m]))) > on(a) group_left b_total and up == 1'),
    ).toEqual(['genesis_llm_x_bucket', 'b_total', 'up']);
  });
});

describe('Grafana dashboards', () => {
  it('are the three expected, with unique uids', () => {
    expect(dashboardFiles.sort()).toEqual(['gpu.json', 'llm-servers.json', 'proxmox-host.json']);
    const uids = dashboardFiles.map((f) => JSON.parse(readFileSync(join(DASHBOARDS, f), 'utf8')).uid);
    expect(new Set(uids).size).toBe(3);
  });

  const provisioned = parseYaml(readFileSync(join(COMPOSE, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
    datasources: Array<{ uid: string; url: string }>;
  };

  it.each(dashboardFiles)('%s is valid dashboard JSON on the provisioned datasource', (file) => {
    const d = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8'));
    expect(typeof d.title).toBe('string');
    expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
    const panels = d.panels as Panel[];
    expect(panels.length).toBeGreaterThan(5);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of panels) {
      expect({ title: p.title, uid: p.datasource?.uid }).toEqual({ title: p.title, uid: provisioned.datasources[0].uid });
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      expect(p.targets?.length).toBeGreaterThan(0);
    }
    expect(provisioned.datasources[0].url).toBe('http://prometheus:9090');
  });

  it.each(dashboardFiles)('every query in %s reads metrics the exporter serves', (file) => {
    const d = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8'));
    const exprs: string[] = [
      ...(d.panels as Panel[]).flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
      ...(d.templating.list as Array<{ definition: string }>).map((v) => v.definition.replace(/^label_values\((.+),\s*\w+\)$/, '$1')),
    ];
    const missing = exprs.flatMap((e) => metricNames(e).filter((n) => !served.has(n)).map((n) => `${n} (in ${e})`));
    expect(missing).toEqual([]);
  });
});

describe('dashboards for several hosts (issue 17)', () => {
  it.each(dashboardFiles)('%s has an instance variable, filters every series by it and rates over $__rate_interval', (file) => {
    const d = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8'));
    const vars = d.templating.list as Array<{ name: string; definition: string }>;
    expect(vars[0]).toMatchObject({ name: 'instance', definition: 'label_values(genesis_exporter_collector_success, instance)' });
    const exprs: string[] = [...(d.panels as Panel[]).flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...vars.slice(1).map((v) => v.definition)];
    const unfiltered = exprs.flatMap((e) => [...e.matchAll(/\b(genesis_\w+)(\{[^}]*\})?/g)].filter((m) => !(m[2] ?? '').includes('instance=~"$instance"')).map((m) => `${m[1]} in ${e}`));
    expect(unfiltered).toEqual([]);
    // Fixed short windows break at other scrape intervals; an hour or more is a deliberate window.
    const fixed = exprs.flatMap((e) => [...e.matchAll(/\[(\d+)(s|m)\]/g)].map((m) => `${m[0]} in ${e}`));
    expect(fixed).toEqual([]);
    const aggregatedWithoutInstance = exprs.filter((e) => /\bby \((?![^)]*instance)[^)]*\)/.test(e));
    expect(aggregatedWithoutInstance).toEqual([]);
  });
});

describe('dashboards for a cluster (issue 19)', () => {
  /**
   * proxmox-host.json's `node` is the PVE node a series is about (genesis_pve_*{node}, kept by the
   * exporters-nodes job's honor_labels); the exporter's own series there carry the exporter's node
   * (none on a single node), so they are not filtered by it.
   */
  const ABOUT_THE_EXPORTER = (file: string, metric: string) => file === 'proxmox-host.json' && metric.startsWith('genesis_exporter_');

  it.each(dashboardFiles)('%s has a node variable from label_values(..., node) and filters every series by it', (file) => {
    const d = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8'));
    const vars = d.templating.list as Array<{ name: string; definition: string; query: { query: string }; includeAll: boolean; allValue?: string }>;
    const k = vars.findIndex((v) => v.name === 'node');
    expect(k).toBeGreaterThan(0);
    expect(vars[k].definition).toMatch(/^label_values\(genesis_\w+\{instance=~"\$instance"\}, node\)$/);
    expect(vars[k].query.query).toBe(vars[k].definition);
    expect(vars[k].includeAll).toBe(true);
    const exprs: string[] = [...(d.panels as Panel[]).flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...vars.slice(k + 1).map((v) => v.definition)];
    expect(exprs.length).toBeGreaterThan(0);
    const unfiltered = exprs.flatMap((e) =>
      [...e.matchAll(/\b(genesis_\w+)(\{[^}]*\})?/g)]
        .filter((m) => !(m[2] ?? '').includes('node=~"$node"') && !ABOUT_THE_EXPORTER(file, m[1]))
        .map((m) => `${m[1]} in ${e}`),
    );
    expect(unfiltered).toEqual([]);
    const aggregatedWithoutNode = exprs.filter((e) => /\bby \((?![^)]*\bnode\b)[^)]*\)/.test(e));
    expect(aggregatedWithoutNode).toEqual([]);
  });

  it.each(['gpu.json', 'llm-servers.json'])('%s: "All" nodes is .*, so a single node whose series have no node label still shows', (file) => {
    const d = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8'));
    expect((d.templating.list as Array<{ name: string; allValue?: string }>).find((v) => v.name === 'node')?.allValue).toBe('.*');
  });
});

/** Rule files about another producer's metrics; each is checked by that producer's own contract spec. */
const OTHER_PRODUCERS = new Set([
  'watchdog.yml', // apps/watchdog/src/monitoring-contract.spec.ts (its runbook is infra/watchdog/RUNBOOK.md)
  'services.yml', // core's and banker's own metrics
]);
/** Rule files whose alerts follow this folder's runbook convention. */
const OWN_RUNBOOKS = (f: string) => f !== 'watchdog.yml';

describe('alert rules', () => {
  const files = readdirSync(RULES).filter((f) => f.endsWith('.yml') && !OTHER_PRODUCERS.has(f));
  const PROMETHEUS_DIR = join(COMPOSE, 'prometheus');
  const REPO = join(COMPOSE, '../..');
  const alerts = readdirSync(RULES).filter((f) => f.endsWith('.yml') && OWN_RUNBOOKS(f)).flatMap((file) =>
    (parseYaml(readFileSync(join(RULES, file), 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string; annotations?: Record<string, string> }> }> }).groups
      .flatMap((g) => g.rules)
      .filter((r) => r.alert)
      .map((r) => ({ file, alert: r.alert as string, annotations: r.annotations ?? {} })),
  );
  const tests = readdirSync(join(PROMETHEUS_DIR, 'tests'))
    .filter((f) => f.endsWith('.test.yml'))
    .map((f) => readFileSync(join(PROMETHEUS_DIR, 'tests', f), 'utf8'))
    .join('\n');

  it.each(alerts.map((a) => [a.alert, a]))('%s has a summary, a description and a runbook in the repository, and a promtool test', (_name, a) => {
    expect(Object.keys(a.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
    expect(a.annotations.runbook_url).toBe(`infra/compose/prometheus/runbooks/${a.alert}.md`);
    expect(readFileSync(join(REPO, a.annotations.runbook_url), 'utf8')).toMatch(new RegExp(`^# ${a.alert}\\n[\\s\\S]*## What to do\\n\\S`));
    expect(tests).toMatch(new RegExp(`alertname: ${a.alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
  });

  // Issue 19: on a cluster every exporter series carries its node (the exporters-nodes job's target
  // label, or the PVE node of a genesis_pve_* series); the alert says which. tests/cluster.test.yml
  // shows an alert on the second node naming it.
  it.each(alerts.filter((a) => !OTHER_PRODUCERS.has(a.file)).map((a) => [a.alert, a]))('%s names the node in its summary', (_name, a) => {
    expect(a.annotations.summary).toContain('$labels.node');
  });

  it.each(files)('every expression in %s reads metrics the exporter serves', (file) => {
    const doc = parseYaml(readFileSync(join(RULES, file), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    const missing = doc.groups
      .flatMap((g) => g.rules)
      .flatMap((r) => metricNames(r.expr).filter((n) => !served.has(n) && !PROMETHEUS_BUILTIN.has(n)).map((n) => `${r.alert}: ${n}`));
    expect(missing).toEqual([]);
  });
});
