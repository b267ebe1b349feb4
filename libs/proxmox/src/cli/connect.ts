/**
 * Where the CLI's requests go: the host named by PVE_HOST, or (without it) the embedded simulator,
 * started here with a state file under the repository's git-ignored .genesis/ and stopped after.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { LocalHostChannel, SshHostChannel, type HostChannel } from '@genesis/host-channel';
import { guestNvidiaSmi, parsePveVersion, prepareHostRoot, SimulatedHostChannel, simulatedHostCommands, startSimulator, type GuestExecHook, type RunningSimulator } from '@genesis/pve-sim';
import { PveClient } from '../client/client';
import { pveConfigFromEnv } from '../client/config';
import type { PveConnectionConfig } from '../client/types';

/**
 * Kept-alive connections for reads. A plan's second round asks for every VM's config, firewall
 * options and rules plus the template configs and group rules at once (about 20 requests for
 * infra/genesis.yaml); with fewer sockets those queue and a round costs several latencies.
 * pveproxy serves hundreds of connections per worker, so this is no burden on the host.
 */
export const READ_CONNECTIONS = 32;

export interface Connection {
  api: PveClient;
  config: PveConnectionConfig;
  /** https://host:port, for messages. */
  endpoint: string;
  simulated: boolean;
  /** Writes a file onto a host storage where the API cannot (see ApplyContext.placeFile). */
  placeFile?: (volid: string, content: string) => Promise<void>;
  /** Commands and files on the host itself (ssh, local, or the simulator's host directory). */
  host: HostChannel;
  close(): Promise<void>;
}

/**
 * The channel to a real host: this machine with GENESIS_HOST=local (Genesis runs on the node),
 * otherwise ssh to PVE_SSH (default root@PVE_HOST, port PVE_SSH_PORT).
 */
export function hostChannelFromEnv(env: NodeJS.ProcessEnv): HostChannel {
  if (env.GENESIS_HOST?.trim() === 'local') return new LocalHostChannel();
  const port = env.PVE_SSH_PORT?.trim() ? Number(env.PVE_SSH_PORT) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new Error(`PVE_SSH_PORT=${env.PVE_SSH_PORT} is not a TCP port; set it to a number such as 22`);
  return new SshHostChannel({ destination: env.PVE_SSH?.trim() || `root@${env.PVE_HOST?.trim()}`, port });
}

/** The directory holding nx.json above `from`. */
export function repoRoot(from = process.cwd()): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'nx.json'))) {
    const up = dirname(dir);
    if (up === dir) return resolve(from);
    dir = up;
  }
  return dir;
}

/** How the engine reaches a simulator: its provisioning token, pinned to its certificate. */
export function simulatorConnectionConfig(
  sim: RunningSimulator,
  extra: Partial<PveConnectionConfig> = {},
): PveConnectionConfig {
  return {
    host: sim.host,
    port: sim.port,
    node: sim.node,
    tokenId: sim.tokens.provisioner.id,
    tokenSecret: sim.tokens.provisioner.secret,
    fingerprint: sim.fingerprint,
    ...extra,
  };
}

/** What `scp` to a real node does, for the simulator: its shell access is in-process. */
export function simulatorPlaceFile(sim: RunningSimulator) {
  return async (volid: string, content: string): Promise<void> => {
    const colon = volid.indexOf(':');
    const [storage, name] = [volid.slice(0, colon), volid.slice(colon + 1)];
    sim.state.update((s) => {
      s.volumes = s.volumes.filter((v) => !(v.storage === storage && v.name === name));
      s.volumes.push({
        storage,
        name,
        content: name.split('/')[0],
        format: 'raw',
        size: Buffer.byteLength(content),
        ctime: Math.floor(Date.now() / 1000),
      });
    });
  };
}

export const SIM_STATE_FILE = join('.genesis', 'sim', 'state.json');

/** One host per release: `.genesis/sim/state.json` for 9.1 (the default), `state-8.4.json` for 8.4. */
export function simStateFileFor(pveVersion: string, root = repoRoot()): string {
  return join(root, pveVersion === '9.1' ? SIM_STATE_FILE : join('.genesis', 'sim', `state-${pveVersion}.json`));
}

export async function connect(
  env: NodeJS.ProcessEnv,
  node: string,
  say: (line: string) => void,
  simStateFile?: string,
): Promise<Connection> {
  if (env.PVE_HOST && env.PVE_HOST.trim()) {
    const config = pveConfigFromEnv(env);
    const api = new PveClient(config, { maxSockets: READ_CONNECTIONS, onWaiting: say });
    const host = hostChannelFromEnv(env);
    return {
      api,
      config,
      endpoint: `https://${config.host}:${config.port}`,
      simulated: false,
      host,
      close: async () => {
        api.close();
        await host.close();
      },
    };
  }
  // GENESIS_PVE_VERSION picks the release the embedded simulator is (9.1 by default).
  const pveVersion = parsePveVersion(env.GENESIS_PVE_VERSION, 'GENESIS_PVE_VERSION');
  const stateFile = simStateFile ?? simStateFileFor(pveVersion);
  // The guest's nvidia-smi needs the running simulator's state, which exists only after the start.
  const guest: { exec?: GuestExecHook } = {};
  // Its notes (no API schema to check requests against, and how to get one) follow the line that names it.
  const simNotes: string[] = [];
  const sim = await startSimulator({
    stateFile,
    node,
    pveVersion,
    env,
    warn: (note) => simNotes.push(note),
    // This CLI has no --node: the node comes from genesis.yaml's `node:` (which reads ${PVE_NODE}).
    renamedNodeFix: (n) => `set node: ${n} in the desired-state file (or PVE_NODE=${n})`,
    guestExec: (vmid, argv) => guest.exec?.(vmid, argv) });
  guest.exec = guestNvidiaSmi(() => sim.state.read());
  const hostRoot = join(dirname(stateFile), 'host');
  prepareHostRoot(hostRoot, sim.state.read().pci);
  // Its /etc/network/interfaces is the simulator's network model (what the API reads and writes).
  const host = new SimulatedHostChannel(hostRoot, sim.state, simulatedHostCommands(() => sim.state.read().pci), `simulated host (${relative(process.cwd(), hostRoot) || hostRoot})`);
  say(
    `No PVE_HOST set: using the embedded Proxmox VE ${sim.release.version.version} simulator at ${sim.url} ` +
      `(state: ${relative(process.cwd(), stateFile) || stateFile}; ` +
      `${env.GENESIS_PVE_VERSION?.trim() ? `GENESIS_PVE_VERSION=${pveVersion}` : 'GENESIS_PVE_VERSION=8.4 rehearses 8.4'})`,
  );
  simNotes.forEach(say);
  const config = simulatorConnectionConfig(sim, { traceFile: env.PVE_TRACE?.trim() || undefined });
  const api = new PveClient(config, { maxSockets: READ_CONNECTIONS });
  return {
    api,
    config,
    endpoint: sim.url,
    simulated: true,
    placeFile: simulatorPlaceFile(sim),
    host,
    close: async () => {
      api.close();
      await sim.stop();
    },
  };
}
