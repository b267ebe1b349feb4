// Image benchmark: builds the core, banker and exporters images on BASE_IMAGE (default the
// local genesis/node-base:bookworm), then prints each image's size and its cold start to
// healthy time (docker run → Docker reports `healthy`), the median of RUNS starts.
// The image's own HEALTHCHECK command is used with a 250 ms interval, so the time measures
// the service's start rather than the 10 s production interval.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const BASE_IMAGE = process.env.BASE_IMAGE ?? 'genesis/node-base:bookworm';
const RUNS = Number(process.env.RUNS ?? 3);
const HEALTH_TIMEOUT_MS = 60_000;
const IMAGES: Record<string, string[]> = {
  core: ['-e', 'LLM_BASE_URL=http://127.0.0.1:9/v1'],
  banker: ['-e', 'BANKER_CONTROL_TOKEN=bench-token-0123456789'],
  exporters: ['-e', 'EXPORTERS_MODE=mock'],
};

const docker = (...args: string[]) => execFileSync('docker', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function coldStartMs(image: string, env: string[]): Promise<number> {
  const started = performance.now();
  const id = docker('run', '-d', '--health-interval=250ms', '--health-start-period=0s', ...env, image);
  try {
    for (;;) {
      const status = docker('inspect', '-f', '{{.State.Health.Status}}', id);
      if (status === 'healthy') return performance.now() - started;
      if (performance.now() - started > HEALTH_TIMEOUT_MS) throw new Error(`${image} not healthy within ${HEALTH_TIMEOUT_MS} ms (status ${status})`);
      await sleep(50);
    }
  } finally {
    docker('rm', '-f', id);
  }
}

async function main(): Promise<void> {
  try {
    docker('info');
  } catch {
    console.error('bench images: no Docker daemon; run scripts/ci/prepare-docker.sh first');
    process.exit(1);
  }
  execFileSync('bash', ['scripts/ci/build-base-image.sh'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync('npx', ['nx', 'run-many', '-t', 'build', '-p', ...Object.keys(IMAGES), '--outputStyle=static'], { cwd: ROOT, stdio: 'ignore' });
  const baseBytes = Number(docker('image', 'inspect', '-f', '{{.Size}}', BASE_IMAGE));
  console.log(`base ${BASE_IMAGE}: ${(baseBytes / 1e6).toFixed(1)} MB; ${RUNS} cold starts per image`);
  console.log('image                     size MB   added MB   build s   cold start→healthy ms (median, min..max)');
  for (const [name, env] of Object.entries(IMAGES)) {
    const tag = `genesis/${name}:latest`;
    const buildStart = performance.now();
    docker('build', '-q', '-f', `apps/${name}/Dockerfile`, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '-t', tag, '.');
    const buildS = (performance.now() - buildStart) / 1000;
    const bytes = Number(docker('image', 'inspect', '-f', '{{.Size}}', tag));
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await coldStartMs(tag, env));
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(
      `${tag.padEnd(25)} ${(bytes / 1e6).toFixed(1).padStart(7)} ${((bytes - baseBytes) / 1e6).toFixed(1).padStart(10)} ${buildS.toFixed(1).padStart(9)}   ${median.toFixed(0)} (${times[0].toFixed(0)}..${times[times.length - 1].toFixed(0)})`,
    );
  }
}

main().catch((err: Error) => {
  console.error(`bench images: ${err.message}`);
  process.exit(1);
});
