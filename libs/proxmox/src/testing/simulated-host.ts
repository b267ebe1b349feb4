/**
 * Test helper: the real simulator over HTTPS and the real client, with fast tasks and fast retries
 * so engine tests stay quick, and an optional PVE_TRACE file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultSchemaPath,
  prepareHostRoot,
  SimulatedHostChannel,
  simulatedHostCommands,
  startSimulator,
  type PveVersion,
  type RunningSimulator,
  type SimulatorOptions,
} from '@genesis/pve-sim';
import { PveClient } from '../client/client';
import type { PveApi, PveParams, WaitForTaskOptions } from '../client/types';
import { simulatorConnectionConfig, simulatorPlaceFile } from '../cli/connect';
import { genesisState } from './desired-state';

/** The official schema of that release (`../shared/pve-api/`, or PVE_SCHEMA). */
export const schemaFileFor = (v: PveVersion) => defaultSchemaPath(process.env, v);

export interface SimulatedHost {
  sim: RunningSimulator;
  client: PveClient;
  /** The client with task polls every few ms (the simulator's tasks are short). */
  api: PveApi;
  placeFile: (volid: string, content: string) => Promise<void>;
  /** The node's shell side, as the CLI opens it: a fresh host directory, removed on close. */
  shell: SimulatedHostChannel;
  close(): Promise<void>;
}

export interface SimulatedHostOptions extends SimulatorOptions {
  /**
   * ISO volumes the user has put on storage before provisioning (placed out of band, as an upload
   * through the GUI or a copy would); default the ones infra/genesis.yaml's Windows template names.
   */
  userIsos?: string[];
}

export async function simulatedHost(
  { userIsos, ...options }: SimulatedHostOptions = {},
  traceFile?: string,
): Promise<SimulatedHost> {
  const sim = await startSimulator({
    // Each release validates against its own official schema; a missing one is an error here.
    schemaPath: schemaFileFor(options.pveVersion ?? '9.1'),
    taskDurationMs: 10,
    agentStartupMs: 10,
    warn: () => undefined,
    ...options,
  });
  const client = new PveClient(simulatorConnectionConfig(sim, { requestTimeoutMs: 5000, traceFile }), {
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
  });
  const api: PveApi = {
    node: client.node,
    get: <T>(path: string, params?: PveParams) => client.get<T>(path, params),
    post: <T>(path: string, params?: PveParams) => client.post<T>(path, params),
    put: <T>(path: string, params?: PveParams) => client.put<T>(path, params),
    delete: <T>(path: string, params?: PveParams) => client.delete<T>(path, params),
    waitForTask: (upid: string, o?: WaitForTaskOptions) =>
      client.waitForTask(upid, { pollIntervalMs: 15, ...o }),
    upload: (path, fields, filename, data) => client.upload(path, fields, filename, data),
  };
  const placeFile = simulatorPlaceFile(sim);
  for (const volid of userIsos ?? genesisState().templates.flatMap((t) => (t.install ? [t.install.iso, t.install.virtio] : []))) await placeFile(volid, '');
  const shellRoot = mkdtempSync(join(tmpdir(), 'genesis-sim-host-'));
  prepareHostRoot(shellRoot, sim.state.read().pci);
  return {
    sim,
    client,
    api,
    placeFile,
    shell: new SimulatedHostChannel(shellRoot, sim.state, simulatedHostCommands(() => sim.state.read().pci)),
    close: async () => {
      client.close();
      await sim.stop();
      rmSync(shellRoot, { recursive: true, force: true });
    },
  };
}
