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
