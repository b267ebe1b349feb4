/**
 * End to end through Nx: a simulated 3-node cluster (in this process), a throw-away project with a
 * cluster genesis.yaml in the workspace, then the real `nx run-many -t provision` over the inferred
 * projects (the file's project: the cluster-wide part; node-pve1…3 after it, side by side),
 * a second run (zero writes in PVE_TRACE), `nx run-many -t verify` (all PASS). The trace shows the
 * three node runs overlapping and no password. Exit code 0 only if every check holds.
 *   npx nx run proxmox:e2e-cluster      (node -r @swc-node/register libs/proxmox/src/cluster/e2e/nx-run-many.ts)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSchemaPath, startSimCluster } from '@genesis/pve-sim';
import { repoRoot } from '../../cli/connect';
import { clusterYaml, type TraceLine } from '../../testing/sim-cluster';

const PROJECT = 'cluster-e2e';

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

const trace = (file: string): TraceLine[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TraceLine) : []);

async function main(): Promise<void> {
  const root = repoRoot(__dirname);
  const dir = join(root, `tmp-${PROJECT}-${process.pid}`);
  const traceFile = join(dir, 'trace.jsonl');
  const schema = defaultSchemaPath(process.env, '9.1');
  const sims = await startSimCluster({ nodes: 3, taskDurationMs: 10, latencyMs: 5, warn: () => undefined, ...(existsSync(schema) ? { schemaPath: schema } : {}) });
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${what}`);
    if (!ok) failures.push(what);
  };
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'project.json'), JSON.stringify({ name: PROJECT }));
    writeFileSync(join(dir, 'genesis.yaml'), clusterYaml(sims.nodes.map((s, i) => ({ name: s.node, port: s.port, address: `192.168.1.${11 + i}` }))));
    const token = sims.nodes[0].tokens.provisioner;
    const env: NodeJS.ProcessEnv = {
      NX_DAEMON: 'false',
      PVE_TRACE: traceFile,
      PVE_TOKEN_ID: token.id,
      PVE_TOKEN_SECRET: token.secret,
      GENESIS_CLUSTER_PASSWORD: sims.rootPassword,
      ...Object.fromEntries(sims.nodes.map((s) => [`PVE_FINGERPRINT_${s.node.toUpperCase()}`, s.fingerprint])),
    };
    const projects = [PROJECT, ...sims.nodes.map((s) => `node-${s.node}`)].join(',');
    const nx = (target: string) => run('npx', ['nx', 'run-many', '-t', target, '-p', projects, '--parallel=3', '--outputStyle=stream'], root, env);

    const first = await nx('provision');
    check(first.code === 0, `nx run-many -t provision from empty exits 0${first.code ? `\n${first.out}` : ''}`);
    const lines = trace(traceFile);
    const joins = lines.filter((l) => l.method === 'POST' && l.path.startsWith('/cluster/config'));
    check(joins.map((l) => l.path).join(' ') === '/cluster/config /cluster/config/join /cluster/config/join', 'the cluster is created on pve1, then pve2 and pve3 join');
    check(!readFileSync(traceFile, 'utf8').includes(sims.rootPassword) && !first.out.includes(sims.rootPassword), 'the join password is in no trace line and no output');
    const afterJoin = lines.slice(lines.indexOf(joins[joins.length - 1]) + 1);
    const spans = sims.nodes.map((s) => {
      const mine = afterJoin.filter((l) => l.to === `${s.host}:${s.port}`);
      return [Math.min(...mine.map((l) => l.at)), Math.max(...mine.map((l) => l.at + l.ms))];
    });
    check(Math.max(...spans.map((s) => s[0])) < Math.min(...spans.map((s) => s[1])), `the three node provisions overlap in time (spans ${spans.map((s) => `${s[1] - s[0]} ms`).join(', ')})`);

    rmSync(traceFile, { force: true });
    const second = await nx('provision');
    const writes = trace(traceFile).filter((l) => l.method !== 'GET');
    check(second.code === 0 && writes.length === 0, `a second nx run-many -t provision sends zero writes (${writes.length})`);
    const verify = await nx('verify');
    check(verify.code === 0 && !/FAIL /.test(verify.out), `nx run-many -t verify passes${verify.code ? `\n${verify.out}` : ''}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sims.stop();
  }
  if (failures.length) throw new Error(`${failures.length} check(s) failed`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
