/**
 * The CLI's commands over a connection: plan, provision (all steps), one step, verify. Returns the
 * exit code; every failure is printed as a message a person can act on.
 */
import { loadDesiredState, DesiredStateError } from '../state/load';
import { apply } from '../engine/apply';
import { formatPlan, plan } from '../engine/plan';
import { STEPS } from '../engine/registry';
import { verify } from '../engine/verify';
import { RESOURCES } from '../engine/registry';
import { snippetPath } from '../resources/template';
import type { HostContext } from '../resources/types';
import { resolveManagementAddress } from '../engine/network';
import { isNetworkCommand, parseArgs, UsageError } from './args';
import { placeUserIsos, rehearsalEnv } from './rehearsal';
import { connect } from './connect';
import { versionLine } from './version';
import { isClusterSpec } from '../state/cluster';
import { runClusterCli } from '../cluster/cli';
import { runNetworkCommand } from '@genesis/network';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Where the embedded simulator keeps its host (default .genesis/sim/state.json in the repo). */
  simStateFile?: string;
}

const defaultIo: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l), env: process.env };

export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  if (argv.includes('--version')) {
    io.out(versionLine());
    return 0;
  }
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    io.err((e as Error).message);
    return 2;
  }
  const rehearsal = rehearsalEnv(io.env);
  let state;
  try {
    state = loadDesiredState(args.file, rehearsal.env);
  } catch (e) {
    io.err((e as Error).message);
    return e instanceof DesiredStateError ? 2 : 1;
  }
  if (isNetworkCommand(args.command)) {
    if (isClusterSpec(state)) {
      io.err(`${args.file}: ${args.command} takes one node's file; this is a cluster file (cluster:, nodes:)`);
      return 2;
    }
    return runNetworkCommand(args.command, state, io, { out: args.out });
  }
  if (isClusterSpec(state)) return runClusterCli(args, state, io);
  if (args.command === 'drain' || args.node || args.clusterWide) {
    io.err(`${args.file}: ${args.command === 'drain' ? 'drain' : args.node ? '--node' : '--cluster-wide'} needs a cluster file (cluster: and nodes:); this file is one node`);
    return 2;
  }
  if (io.env.PVE_NODE && io.env.PVE_NODE !== state.node) {
    io.err(`${args.file}: node is "${state.node}" but PVE_NODE=${io.env.PVE_NODE}; make them agree (the file reads \${PVE_NODE})`);
    return 2;
  }

  let conn;
  try {
    conn = await connect(io.env, state.node, io.out, io.simStateFile);
  } catch (e) {
    io.err(`cannot reach Proxmox: ${(e as Error).message}`);
    return 1;
  }
  try {
    if (conn.config.node !== state.node) {
      io.err(`${args.file}: node "${state.node}" is not the node the connection addresses ("${conn.config.node}"); set PVE_NODE`);
      return 2;
    }
    if (conn.simulated && rehearsal.note) io.out(rehearsal.note);
    if (conn.simulated && conn.placeFile) await placeUserIsos(state, conn.placeFile, io.out);
    const started = Date.now();
    const host: HostContext = { host: conn.host, reboot: args.reboot, confirmConsole: args.confirmConsole, progress: io.out };
    // Snippets go onto the host through the channel (the simulator also lists them in its API).
    const placeFile = async (volid: string, content: string) => {
      await conn.host.writeFile(snippetPath(volid, state), content);
      await conn.placeFile?.(volid, content);
    };
    switch (args.command) {
      case 'plan': {
        const p = await plan(conn.api, state, { prune: args.prune, pruneNames: args.pruneNames, host });
        io.out(formatPlan(p, state.source.file));
        io.out(`(read the host in ${((Date.now() - started) / 1000).toFixed(2)} s)`);
        return 0;
      }
      case 'verify': {
        const result = await verify(conn.api, state, { endpoint: conn.endpoint, progress: io.out, host });
        const failed = result.checks.filter((c) => !c.ok).length;
        io.out(failed ? `verify: ${failed} of ${result.checks.length} checks FAILED` : `verify: all ${result.checks.length} checks passed`);
        return failed ? 1 : 0;
      }
      default: {
        const kinds = args.command === 'provision' ? undefined : STEPS[args.command];
        const result = await apply(conn.api, state, {
          kinds,
          prune: args.prune,
          pruneNames: args.pruneNames,
          allowManagementChange: args.allowManagementChange,
          managementAddress: await resolveManagementAddress(conn.config.host),
          progress: io.out,
          placeFile,
          host,
        });
        if (result.applied.length) io.out(`${args.command}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        if (args.command === 'gpu') {
          // The step ends with what a person would check by hand.
          const checks = await RESOURCES['gpu-host'].verify(conn.api, state, host);
          for (const c of checks) io.out(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
        }
        return 0;
      }
    }
  } catch (e) {
    io.err(e instanceof UsageError ? e.message : `${args.command} failed: ${(e as Error).message}`);
    return 1;
  } finally {
    await conn.close();
  }
}
