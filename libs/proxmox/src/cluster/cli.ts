/**
 * The CLI's commands for a cluster file: `plan`, `provision`, `verify` (everything, or
 * `--cluster-wide`, or `--node NAME`, which is what the inferred `infra` and `node-<name>` Nx
 * projects run) and `drain NODE`. Every failure is one message a person can act on; a lost quorum
 * is NoQuorumError's message, and the exit code is 1.
 */
import type { CliArgs } from '../cli/args';
import { parseDuration } from '../cli/duration';
import type { CliIo } from '../cli/run';
import { READ_CONNECTIONS } from '../cli/connect';
import type { DesiredState } from '../state/load';
import { clusterConfigsFromEnv, clusterHostChannelsFromEnv, connectionsFrom, type ClusterConnections } from './connections';
import { drainNode, formatDrain } from './drain';
import type { ClusterRunOptions } from './node-run';
import {
  clusterPlanProblems,
  clusterPlanWrites,
  formatClusterWide,
  formatNodes,
  planClusterWide,
  planNodes,
  provisionCluster,
  provisionClusterWide,
  provisionNode,
} from './provision';
import { REPLICATION_SYNC_TIMEOUT_ENV } from './sync-timeout';
import { verifyCluster } from './verify';

export async function runClusterCli(args: CliArgs, state: DesiredState, io: CliIo): Promise<number> {
  const names = state.nodes!.map((n) => n.name);
  if (args.node && !names.includes(args.node)) {
    io.err(`${args.file}: --node ${args.node} is not declared under nodes: (${names.join(', ')})`);
    return 2;
  }
  if (!['plan', 'provision', 'verify', 'drain'].includes(args.command)) {
    io.err(`${args.file} is a cluster file: the step "${args.command}" runs per node inside provision; use provision --node NAME (or nx run node-NAME:provision)`);
    return 2;
  }
  let replicationSyncTimeoutMs = args.replicationSyncTimeoutMs;
  const fromEnv = io.env[REPLICATION_SYNC_TIMEOUT_ENV];
  if (replicationSyncTimeoutMs === undefined && fromEnv !== undefined) {
    try {
      replicationSyncTimeoutMs = parseDuration(fromEnv, REPLICATION_SYNC_TIMEOUT_ENV);
    } catch (e) {
      io.err((e as Error).message);
      return 2;
    }
  }
  let conns: ClusterConnections;
  try {
    conns = connectionsFrom(clusterConfigsFromEnv(state, io.env), { maxSockets: READ_CONNECTIONS }, undefined, clusterHostChannelsFromEnv(state, io.env));
  } catch (e) {
    io.err(`cannot reach the cluster: ${(e as Error).message}`);
    return 1;
  }
  const started = Date.now();
  const options: ClusterRunOptions = {
    reboot: args.reboot,
    confirmConsole: args.confirmConsole,
    prune: args.prune,
    pruneNames: args.pruneNames,
    allowManagementChange: args.allowManagementChange,
    replicationSyncTimeoutMs,
  };
  const scope = args.node ? `node ${args.node}` : args.clusterWide ? 'cluster-wide part' : 'whole cluster';
  try {
    switch (args.command) {
      case 'plan': {
        const [wide, nodes] = await Promise.all([
          args.node ? undefined : planClusterWide(conns, state, io.env, options),
          args.clusterWide ? undefined : planNodes(conns, state, args.node ? [args.node] : undefined, options),
        ]);
        if (wide) io.out(formatClusterWide(wide));
        if (nodes) io.out(formatNodes(nodes));
        const p = { ...(wide ?? {}), nodes };
        io.out(`Cluster plan (${scope}): ${clusterPlanWrites(p)} change(s)${clusterPlanProblems(p).length ? `, ${clusterPlanProblems(p).length} problem(s)` : ''}.`);
        io.out(`(read ${args.node ? 'the node' : `${names.length} nodes`} in ${((Date.now() - started) / 1000).toFixed(2)} s)`);
        return 0;
      }
      case 'provision': {
        const changed = args.node
          ? await provisionNode(conns, state, args.node, io.out, options)
          : args.clusterWide
            ? await provisionClusterWide(conns, state, io.env, io.out, options)
            : await provisionCluster(conns, state, io.env, io.out, options);
        io.out(`provision (${scope}): ${changed} change(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return 0;
      }
      case 'verify': {
        const checks = await verifyCluster(conns, state, args.node ? [args.node] : args.clusterWide ? [] : undefined);
        for (const c of checks) io.out(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
        const failed = checks.filter((c) => !c.ok).length;
        io.out(failed ? `verify: ${failed} of ${checks.length} checks FAILED` : `verify: all ${checks.length} checks passed`);
        return failed ? 1 : 0;
      }
      default: {
        const node = args.node as string;
        io.out(formatDrain(node, await drainNode(conns, state, node, io.out)));
        return 0;
      }
    }
  } catch (e) {
    io.err(`${args.command} (${scope}) failed: ${(e as Error).message}`);
    return 1;
  } finally {
    conns.close();
  }
}
