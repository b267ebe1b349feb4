#!/usr/bin/env node
/** Entry point: `node -r @swc-node/register libs/proxmox/src/cli/main.ts <command> …` (see args.ts). */
import { runCli } from './run';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exitCode = 1;
  },
);
