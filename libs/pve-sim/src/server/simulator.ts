/**
 * `startSimulator`: the HTTPS server, its certificate, tokens, schema, state file and the
 * in-process handles tests use (faults, latency, state, management-link recovery).
 */
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { GuestExecHook, HostBehaviour } from '../model/host';
import { SimHost } from '../model/host';
import { restoreManagementNetwork } from '../model/network';
import { Router } from '../model/router';
import {
  DEFAULT_MANAGEMENT,
  initialState,
  loadStateFile,
  saveStateFile,
  type DiskInfo,
  type ManagementNetwork,
  type PciDevice,
  type SimState,
} from '../model/state';
import { DEFAULT_PVE_VERSION, PVE_RELEASES, type PveRelease, type PveVersion } from '../model/release';
import { loadApiSchema, schemaLocation, type ApiSchema, type SchemaLocation } from '../schema';
import { tokensFrom, type SimulatorTokens } from './auth';
import { FaultInjector, seededRandom, type FaultRule } from './faults';
import { createRequestHandler, type ClusterHook } from './handler';
import { generateCertificate } from './tls';

export interface SimulatorOptions {
  /** The Proxmox VE release to be: its schema, /version and behaviour (default 9.1). */
  pveVersion?: PveVersion;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * The schema file; default `schemaLocation()`. A file named here, by PVE_SCHEMA or by PVE_API_DIR
   * must exist; without any, a missing checkout copy is a warning and requests go unchecked.
   */
  schemaPath?: string;
  /** Where PVE_SCHEMA and PVE_API_DIR are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** JSON file the host state is kept in; a second start with the same file sees the first's result. */
  stateFile?: string;
  latencyMs?: number;
  faults?: FaultRule[];
  /** Default 'pve'. */
  node?: string;
  /**
   * The fix a state file of another node names (default `pass --node <its node>`, this CLI's flag);
   * an embedding program names its own way of setting the node.
   */
  renamedNodeFix?: (stateNode: string) => string;
  /** How long tasks stay `running` (default 150 ms). */
  taskDurationMs?: number;
  /** How long after start the guest agent answers (default 300 ms). */
  agentStartupMs?: number;
  /** The physical NIC, management bridge, address and gateway of a fresh host. */
  management?: Partial<ManagementNetwork>;
  /** Any applied change to the management bridge cuts the API off (for rollback tests). */
  cutManagementOnBridgeChange?: boolean;
  /** After a cut, restore the previous network after this long (a console rollback). */
  managementRollbackMs?: number;
  /** Disks of a fresh host (default: NVMe system disk, two 1 TB SSDs, one 4 TB HDD). */
  disks?: DiskInfo[];
  /** PCI devices of a fresh host (default: RTX 3090 + audio in IOMMU group 14, chipset). */
  pciDevices?: PciDevice[];
  /** Answers guest-agent `exec` before the built-in commands. */
  guestExec?: GuestExecHook;
  /** How long a Windows unattended install runs before its agent answers (default 500 ms). */
  unattendedInstallMs?: HostBehaviour['unattendedInstallMs'];
  /** What download-url fetches, by URL (its sums); unlisted URLs serve the file the request pins. */
  remoteFiles?: HostBehaviour['remoteFiles'];
  /** Seed for fault `rate` decisions (default: Math.random). */
  faultSeed?: number;
  /** Where warnings go (default: console.warn). */
  warn?: (message: string) => void;
  /** API token secrets of a fresh host (default: random); the members of a simulated cluster share them. */
  tokenSecrets?: SimState['tokenSecrets'];
  /** Joins this node to a simulated cluster's network (`startSimCluster`); receives the node's host. */
  cluster?: (host: SimHost) => ClusterHook;
}

/** In-process access to the simulated host, for tests and the engine's out-of-band steps. */
export interface SimulatorState {
  /** A deep copy of the whole host state. */
  read(): SimState;
  /** Changes the host out of band (as root on its shell would), then persists it. */
  update(mutate: (state: SimState) => void): void;
  /** Changes behaviour options at run time. */
  setOptions(options: Partial<HostBehaviour>): void;
  /** True while the last network reload has cut the API off. */
  readonly managementCut: boolean;
  /** How many network reloads have cut the API off since start, whether or not restored since. */
  readonly managementCuts: number;
  /** Restores the network from before the cutting reload (a person at the console). */
  restoreManagement(): void;
}

export interface RunningSimulator {
  /** `https://127.0.0.1:PORT` */
  url: string;
  host: string;
  port: number;
  node: string;
  tokens: SimulatorTokens;
  /** SHA-256 of the certificate, `AB:CD:…`. */
  fingerprint: string;
  caPem: string;
  /** The schema file in use, or undefined when validation is off. */
  schemaPath?: string;
  /** The release this simulator is. */
  release: PveRelease;
  state: SimulatorState;
  setFaults(rules: FaultRule[]): void;
  setLatency(ms: number): void;
  stop(): Promise<void>;
}

/**
 * The release's schema, when there is one to check requests against. A place someone named (the
 * schemaPath option, PVE_SCHEMA, PVE_API_DIR) must hold it: an error otherwise, so a run that was
 * meant to be checked never quietly is not (this repository's CI exports PVE_API_DIR). Without a
 * named place (a user's workspace, where only a PVE host has the schema) the simulator runs
 * unchecked and says so once, with the way to check.
 */
function loadSchema(options: SimulatorOptions, release: PveRelease, warn: (m: string) => void): { schema?: ApiSchema; path?: string } {
  const location: SchemaLocation | undefined =
    options.schemaPath !== undefined ? { path: resolvePath(options.schemaPath), setBy: 'the schema option' } : schemaLocation(options.env ?? process.env, release.id);
  if (location && existsSync(location.path)) return { schema: loadApiSchema(location.path), path: location.path };
  const howToCheck =
    `set PVE_SCHEMA to a PVE ${release.id} host's /usr/share/pve-docs/api-viewer/apidoc.js ` +
    `(or to ${release.schemaFile}, the same data from the pve-docs repository)`;
  if (location?.setBy) {
    throw new Error(`pve-sim: no PVE ${release.id} API schema at ${location.path}, the file ${location.setBy} names; point it at the schema: ${howToCheck}.`);
  }
  warn(`pve-sim: requests are not checked against the Proxmox VE ${release.id} API schema (none found); to check them, ${howToCheck}.`);
  return {};
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const node = options.node ?? 'pve';
  const listenHost = options.host ?? '127.0.0.1';
  const management: ManagementNetwork = { ...DEFAULT_MANAGEMENT, ...options.management };
  const release = PVE_RELEASES[options.pveVersion ?? DEFAULT_PVE_VERSION];
  if (!release) throw new Error(`pveVersion '${String(options.pveVersion)}' is not simulated; use ${Object.keys(PVE_RELEASES).join(' or ')}`);
  const { schema, path: schemaPath } = loadSchema(options, release, warn);

  const stateFile = options.stateFile;
  const state =
    (stateFile ? loadStateFile(stateFile, node, release.id, options.renamedNodeFix) : undefined) ??
    initialState({ node, pveVersion: release.id, management, disks: options.disks, pci: options.pciDevices });
  if (options.tokenSecrets && !stateFile) state.tokenSecrets = { ...options.tokenSecrets };
  const behaviour: HostBehaviour = {
    release,
    taskDurationMs: options.taskDurationMs ?? 150,
    agentStartupMs: options.agentStartupMs ?? 300,
    management,
    cutManagementOnBridgeChange: options.cutManagementOnBridgeChange ?? false,
    managementRollbackMs: options.managementRollbackMs,
    guestExec: options.guestExec,
    unattendedInstallMs: options.unattendedInstallMs,
    remoteFiles: options.remoteFiles,
  };
  const host = new SimHost(state, behaviour, (s) => {
    if (stateFile) saveStateFile(stateFile, s);
  });
  host.save();

  const tokens = tokensFrom(state.tokenSecrets);
  const faults = new FaultInjector(options.faults ?? [], options.faultSeed !== undefined ? seededRandom(options.faultSeed) : Math.random);
  const latency = { ms: options.latencyMs ?? 0 };
  const certificate = await generateCertificate('localhost', listenHost);

  const server = createServer({ key: certificate.keyPem, cert: certificate.certPem });
  server.on('request', createRequestHandler({ host, router: new Router(), schema, tokens, faults, latency, cluster: options.cluster?.(host) }));
  server.on('secureConnection', (socket) => {
    if (host.state.network.managementCut) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = listenHost.includes(':') ? `[${listenHost}]` : listenHost;

  return {
    url: `https://${urlHost}:${port}`,
    host: listenHost,
    port,
    node,
    tokens,
    fingerprint: certificate.fingerprint,
    caPem: certificate.certPem,
    schemaPath,
    release,
    state: {
      read: () => structuredClone(host.state),
      update: (mutate) => {
        mutate(host.state);
        host.save();
      },
      setOptions: (partial) => Object.assign(host.behaviour, partial),
      get managementCut() {
        return host.state.network.managementCut;
      },
      get managementCuts() {
        return host.managementCuts;
      },
      restoreManagement: () => restoreManagementNetwork(host),
    },
    setFaults: (rules) => faults.set(rules),
    setLatency: (ms) => {
      latency.ms = ms;
    },
    stop: async () => {
      host.dispose();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
