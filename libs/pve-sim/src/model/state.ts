/**
 * The simulated host's whole state as one JSON document: what `/etc/pve`, `/etc/network`, the
 * disks, ZFS and the running VMs would hold on a real node. Everything the API changes lives
 * here, so persisting this object is persisting the host.
 */
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PVE_RELEASES, type PveVersion } from './release';
import type { ClusterFs } from '../cluster/cluster-fs';
import type { ReplicationJobState } from '../cluster/replication';

export type NetworkInterface = Record<string, string | number | undefined> & {
  iface: string;
  type: string;
};

export interface DiskInfo {
  devpath: string;
  size: number;
  model: string;
  serial: string;
  vendor: string;
  type: 'hdd' | 'ssd' | 'nvme';
  wwn: string;
  /** What uses the disk (`LVM`, `ZFS`, `partitions`); absent when unused. */
  used?: string;
}

export interface ZfsPoolState {
  name: string;
  raidlevel: string;
  devices: string[];
  size: number;
  ashift: number;
  compression: string;
  /** `pool@snap` names taken with the storage-level snapshot helpers (VM snapshots keep theirs). */
  snapshots: string[];
}

export type StorageConfig = Record<string, string | number> & { storage: string; type: string };

export interface VolumeState {
  storage: string;
  /** The volume name inside the storage: `vm-100-disk-0`, `iso/x.iso`, `base-9000-disk-0/vm-101-disk-0`. */
  name: string;
  content: string;
  format: string;
  size: number;
  vmid?: number;
  ctime: number;
  /** `algorithm:hex` the file was verified with on download, when one was given. */
  checksum?: string;
  /** A disk allocated empty (no image imported, no OS installed yet); linked clones inherit it. */
  blank?: boolean;
  /** An uploaded ISO that carries an autounattend.xml (Windows Setup's answer file). */
  unattend?: boolean;
  /** A copy another node's storage replication sent here (pve-guest-common `PVE/Replication.pm`). */
  replica?: boolean;
}

export interface SnapshotState {
  name: string;
  description: string;
  snaptime: number;
  parent?: string;
  vmstate: number;
  config: Record<string, string>;
}

export interface VmState {
  vmid: number;
  config: Record<string, string>;
  status: 'running' | 'stopped';
  /** A running VM whose vCPUs are stopped (`qm suspend` without todisk): QMP status `paused`. */
  paused?: boolean;
  /** Epoch ms the VM was started; the guest agent answers some time after it. */
  startedAt?: number;
  snapshots: Record<string, SnapshotState>;
  /** Name of the snapshot the current state descends from. */
  parent?: string;
  /** Changes waiting for the next start (qemu-server's `[PENDING]` section). */
  pending?: Record<string, string>;
  pendingDelete?: string[];
  /** Epoch ms a running unattended install finishes (guest-install.ts). */
  installDoneAtMs?: number;
  /** The `lock` a running task holds on the config (create, clone, snapshot, ...). */
  taskLock?: { kind: string; untilMs: number };
}

export interface PciDevice {
  id: string;
  class: string;
  vendor: string;
  device: string;
  vendor_name: string;
  device_name: string;
  subsystem_vendor: string;
  subsystem_device: string;
  subsystem_vendor_name?: string;
  subsystem_device_name?: string;
  iommugroup: number;
  mdev?: number;
}

export interface PciMappingState {
  id: string;
  description?: string;
  map: string[];
  mdev?: number;
  'live-migration-capable'?: number;
}

export type FirewallRule = Record<string, string | number>;

export interface FirewallScope {
  options: Record<string, string | number>;
  rules: FirewallRule[];
}

export interface IpSetState {
  name: string;
  comment?: string;
  entries: Array<{ cidr: string; comment?: string; nomatch?: number }>;
}

export interface FirewallState {
  cluster: FirewallScope & {
    groups: Record<string, { comment?: string; rules: FirewallRule[] }>;
    ipsets: Record<string, IpSetState>;
    aliases: Record<string, { name: string; cidr: string; comment?: string }>;
  };
  node: FirewallScope;
  vms: Record<string, FirewallScope>;
}

export interface TaskState {
  upid: string;
  type: string;
  id: string;
  user: string;
  pid: number;
  pstart: number;
  starttime: number;
  /** Epoch ms at which the task is reported stopped. */
  endsAtMs: number;
  exitstatus: string;
  log: string[];
}

export interface AgentExecState {
  vmid: number;
  pid: number;
  exitcode: number;
  out: string;
  err: string;
  /** Epoch ms after which exec-status reports `exited`. */
  exitsAtMs: number;
}

export interface SimState {
  formatVersion: 1;
  node: string;
  /** The release the host was installed with (`x.y`); a state file is one release's host. */
  pveVersion: PveVersion;
  network: {
    /** What `/etc/network/interfaces` holds and the kernel runs. */
    applied: NetworkInterface[];
    /** `/etc/network/interfaces.new`: present while changes are staged. */
    staged: NetworkInterface[] | null;
    /** The applied interfaces before the last reload, for an out-of-band rollback. */
    previous: NetworkInterface[] | null;
    /** True while a reload has cut the management address off the wire. */
    managementCut: boolean;
  };
  disks: DiskInfo[];
  zfsPools: ZfsPoolState[];
  storage: StorageConfig[];
  volumes: VolumeState[];
  vms: Record<string, VmState>;
  pci: PciDevice[];
  pciMappings: Record<string, PciMappingState>;
  firewall: FirewallState;
  tasks: TaskState[];
  agentExec: AgentExecState[];
  nextPid: number;
  /** Epoch seconds the simulated host booted (uptime, task `pstart`). */
  bootTime: number;
  /** API token secrets, kept with the host so a restarted simulator accepts the same env. */
  tokenSecrets: Record<TokenRole, string>;
  /** `/etc/pve/corosync.conf` and the HA configuration once the node is in a cluster (see src/cluster). */
  cluster?: ClusterFs;
  /** `/var/lib/pve-manager/pve-replication-state.json`: this node's replication job state, `<vmid>/local/<target>`. */
  replicationState?: Record<string, ReplicationJobState>;
}

export type TokenRole = 'root' | 'provisioner' | 'auditor';

/** The management link of the simulated host: the NIC, its bridge and the address PVE answers on. */
export interface ManagementNetwork {
  nic: string;
  bridge: string;
  /** CIDR, e.g. `192.168.1.10/24`. */
  cidr: string;
  gateway: string;
}

export const DEFAULT_MANAGEMENT: ManagementNetwork = {
  nic: 'enp3s0',
  bridge: 'vmbr0',
  cidr: '192.168.1.10/24',
  gateway: '192.168.1.1',
};

const GiB = 1024 ** 3;

export const DEFAULT_DISKS: DiskInfo[] = [
  {
    devpath: '/dev/nvme0n1',
    size: 512110190592,
    model: 'Samsung SSD 980 PRO 500GB',
    serial: 'S5GXNX0T412345A',
    vendor: 'unknown',
    type: 'nvme',
    wwn: 'eui.002538b411b2c3d4',
    used: 'LVM',
  },
  {
    devpath: '/dev/sdb',
    size: 1000204886016,
    model: 'Samsung_SSD_870_EVO_1TB',
    serial: 'S626NF0R100001X',
    vendor: 'ATA',
    type: 'ssd',
    wwn: '0x5002538f41000001',
  },
  {
    devpath: '/dev/sdc',
    size: 1000204886016,
    model: 'Samsung_SSD_870_EVO_1TB',
    serial: 'S626NF0R100002Y',
    vendor: 'ATA',
    type: 'ssd',
    wwn: '0x5002538f41000002',
  },
  {
    devpath: '/dev/sdd',
    size: 4000787030016,
    model: 'WDC_WD40EFZX-68AWUN0',
    serial: 'WD-WX12D80AAAAA',
    vendor: 'ATA',
    type: 'hdd',
    wwn: '0x50014ee2bbbbbbbb',
  },
];

/** An RTX 3090 with its HDMI audio function in IOMMU group 14, plus the usual chipset devices. */
export const DEFAULT_PCI: PciDevice[] = [
  pci('0000:00:00.0', '0x060000', '0x8086', '0x4660', 'Intel Corporation', '12th Gen Core Processor Host Bridge/DRAM Registers', '0x1043', '0x8882', 0),
  pci('0000:00:01.0', '0x060400', '0x8086', '0x460d', 'Intel Corporation', '12th Gen Core Processor PCI Express x16 Controller #1', '0x1043', '0x8882', 1),
  pci('0000:00:14.0', '0x0c0330', '0x8086', '0x7ae0', 'Intel Corporation', 'Alder Lake-S PCH USB 3.2 Gen 2x2 XHCI Controller', '0x1043', '0x8882', 5),
  pci('0000:00:17.0', '0x010601', '0x8086', '0x7ae2', 'Intel Corporation', 'Alder Lake-S PCH SATA Controller [AHCI Mode]', '0x1043', '0x8882', 7),
  pci('0000:01:00.0', '0x030000', '0x10de', '0x2204', 'NVIDIA Corporation', 'GA102 [GeForce RTX 3090]', '0x1043', '0x87b3', 14),
  pci('0000:01:00.1', '0x040300', '0x10de', '0x1aef', 'NVIDIA Corporation', 'GA102 High Definition Audio Controller', '0x1043', '0x87b3', 14),
  pci('0000:03:00.0', '0x020000', '0x8086', '0x125c', 'Intel Corporation', 'Ethernet Controller I226-V', '0x1043', '0x87d2', 16),
  pci('0000:04:00.0', '0x010802', '0x144d', '0xa80a', 'Samsung Electronics Co Ltd', 'NVMe SSD Controller PM9A1/PM9A3/980PRO', '0x144d', '0xa801', 17),
];

function pci(
  id: string,
  cls: string,
  vendor: string,
  device: string,
  vendorName: string,
  deviceName: string,
  subVendor: string,
  subDevice: string,
  group: number,
): PciDevice {
  return {
    id,
    class: cls,
    vendor,
    device,
    vendor_name: vendorName,
    device_name: deviceName,
    subsystem_vendor: subVendor,
    subsystem_device: subDevice,
    subsystem_vendor_name: subVendor === '0x1043' ? 'ASUSTeK Computer Inc.' : vendorName,
    subsystem_device_name: '',
    iommugroup: group,
  };
}

export interface InitialStateOptions {
  node: string;
  pveVersion: PveVersion;
  management: ManagementNetwork;
  disks?: DiskInfo[];
  pci?: PciDevice[];
}

/** A freshly installed PVE node of that release (ext4/LVM root on the NVMe, `local` + `local-lvm`). */
export function initialState(options: InitialStateOptions): SimState {
  const { management } = options;
  return {
    formatVersion: 1,
    node: options.node,
    pveVersion: options.pveVersion,
    network: {
      applied: [
        { iface: 'lo', type: 'loopback', method: 'loopback', autostart: 1, active: 1, priority: 1 },
        { iface: management.nic, type: 'eth', method: 'manual', exists: 1, active: 1, priority: 2 },
        {
          iface: management.bridge,
          type: 'bridge',
          method: 'static',
          cidr: management.cidr,
          gateway: management.gateway,
          bridge_ports: management.nic,
          bridge_stp: 'off',
          bridge_fd: '0',
          autostart: 1,
          active: 1,
          priority: 3,
        },
      ],
      staged: null,
      previous: null,
      managementCut: false,
    },
    disks: structuredClone(options.disks ?? DEFAULT_DISKS),
    zfsPools: [],
    storage: [
      { storage: 'local', type: 'dir', path: '/var/lib/vz', content: PVE_RELEASES[options.pveVersion].localContent },
      { storage: 'local-lvm', type: 'lvmthin', thinpool: 'data', vgname: 'pve', content: 'rootdir,images' },
    ],
    volumes: [],
    vms: {},
    pci: structuredClone(options.pci ?? DEFAULT_PCI),
    pciMappings: {},
    firewall: {
      cluster: { options: {}, rules: [], groups: {}, ipsets: {}, aliases: {} },
      node: { options: {}, rules: [] },
      vms: {},
    },
    tasks: [],
    agentExec: [],
    nextPid: 40000 + Math.floor(Math.random() * 20000),
    bootTime: Math.floor(Date.now() / 1000) - 3600,
    tokenSecrets: { root: randomUUID(), provisioner: randomUUID(), auditor: randomUUID() },
  };
}

/** Reads a state file; a file from another node name or format is an error naming the fix. */
export function loadStateFile(
  file: string,
  node: string,
  pveVersion: PveVersion,
  renamedNodeFix: (stateNode: string) => string = (n) => `pass --node ${n}`,
): SimState | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: SimState;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as SimState;
  } catch (error) {
    throw new Error(
      `${file}: not a pve-sim state file (${(error as Error).message}); delete it to start from a fresh host`,
    );
  }
  if (parsed.formatVersion !== 1) {
    throw new Error(`${file}: formatVersion ${String(parsed.formatVersion)} is not 1; delete it to start fresh`);
  }
  if (parsed.node !== node) {
    throw new Error(
      `${file}: node is '${parsed.node}' but the simulator was started with node '${node}'; ` +
        `${renamedNodeFix(parsed.node)} or delete the file`,
    );
  }
  const was = parsed.pveVersion ?? '8.4';
  if (was !== pveVersion) {
    throw new Error(
      `${file}: this host runs Proxmox VE ${was} but the simulator was started as ${pveVersion}; ` +
        `start it as ${was} (--pve-version ${was}) or delete the file for a fresh ${pveVersion} host`,
    );
  }
  parsed.pveVersion = was;
  return parsed;
}

/** Write-then-rename so that a crash mid-write never leaves half a host behind. */
export function saveStateFile(file: string, state: SimState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  // The file holds the token secrets: owner-only, like /etc/pve/priv.
  writeFileSync(tmp, JSON.stringify(state, null, 1), { mode: 0o600 });
  renameSync(tmp, file);
}

export { GiB };
