#!/usr/bin/env node
/**
 * Entry point, shipped bundled: `node dist/libs/proxmox/cli/main.js <command> …` (built by
 * `nx run proxmox:build-cli`; see args.ts); from sources `node -r @swc-node/register libs/proxmox/src/cli/main.ts`.
 * This file stays tiny: `--version` answers before the engine (its own bundle, run.js) is loaded.
 */
import { versionLine } from './version';

const argv = process.argv.slice(2);
if (argv.includes('--version')) {
  console.log(versionLine());
} else {
  // Node ≥ 22.1 keeps the compiled engine bundle (1.4 MB) between runs (in the OS temp directory,
  // or NODE_COMPILE_CACHE); compiling it is most of a converged run's start-up. Node 20 has no cache.
  (require('node:module') as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  // A path the bundler leaves alone: run.js beside main.js in dist, run.ts beside main.ts in sources.
  const engine = './run';
  const { runCli } = require(engine) as typeof import('./run');
  runCli(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exitCode = 1;
    },
  );
}
