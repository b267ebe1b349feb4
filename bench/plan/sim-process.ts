/**
 * bench/plan's simulator, in a process of its own (forked by run.ts with an IPC channel): the
 * engine's CPU work and the simulator's then run side by side, as they do against a real host,
 * instead of taking turns on one event loop. It starts the simulator with a state file, converges
 * it to infra/genesis.yaml (unmeasured, in this process), then answers the parent's messages:
 *   { latency: ms }  → injected latency per request from now on; answers { latency: ms }
 *   { cpu: true }    → answers { cpuMicros } (user + system CPU of this process so far)
 *   { stop: true }   → stops the simulator and exits
 * The first message it sends is { ready: SimProcessReady }.
 */
import { join } from 'node:path';
import { prepareHostRoot, SimulatedHostChannel, simulatedHostCommands, startSimulator } from '@genesis/pve-sim';
import { apply } from '@genesis/proxmox';
import { simulatorConnectionConfig, simulatorPlaceFile } from '@genesis/proxmox/src/cli/connect';
import { PveClient } from '@genesis/proxmox';
import { genesisState } from '@genesis/proxmox/src/testing/desired-state';
import { placeUserIsos } from '@genesis/proxmox/src/cli/rehearsal';
import type { PveConnectionConfig } from '@genesis/proxmox';

export interface SimProcessReady {
  config: PveConnectionConfig;
  /** The simulated node's files (the host channel's root) and the state file behind the API. */
  hostRoot: string;
  stateFile: string;
}

export type SimProcessMessage = { latency: number } | { cpu: true } | { stop: true };

async function main(dir: string): Promise<void> {
  const send = (message: unknown) => process.send?.(message);
  const stateFile = join(dir, 'state.json');
  const sim = await startSimulator({ stateFile, taskDurationMs: 10, warn: () => undefined });
  const hostRoot = join(dir, 'host');
  prepareHostRoot(hostRoot, sim.state.read().pci);
  const host = new SimulatedHostChannel(hostRoot, sim.state, simulatedHostCommands(() => sim.state.read().pci), 'simulated host');
  const config = simulatorConnectionConfig(sim);
  const client = new PveClient(config);
  try {
    const state = genesisState();
    // The ISOs a user uploads before provisioning the Windows template.
    await placeUserIsos(state, simulatorPlaceFile(sim), () => undefined);
    await apply(client, state, { progress: () => undefined, placeFile: simulatorPlaceFile(sim), host: { host } });
  } finally {
    client.close();
    await host.close();
  }
  process.on('message', (message: SimProcessMessage) => {
    if ('latency' in message) {
      sim.setLatency(message.latency);
      send({ latency: message.latency });
    } else if ('cpu' in message) {
      const cpu = process.cpuUsage();
      send({ cpuMicros: cpu.user + cpu.system });
    } else if ('stop' in message) {
      void sim.stop().then(() => process.exit(0));
    }
  });
  // The parent gone (killed, crashed) leaves no simulator behind.
  process.on('disconnect', () => void sim.stop().then(() => process.exit(0)));
  send({ ready: { config, hostRoot, stateFile } satisfies SimProcessReady });
}

main(process.argv[2]).catch((e: unknown) => {
  console.error(`bench/plan simulator: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
