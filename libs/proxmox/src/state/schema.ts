/**
 * The shape of infra/genesis.yaml. Every message says what is wrong and how to write it instead;
 * the loader prefixes file, line, field path and the offending value.
 */
import { z } from 'zod';
import { CALENDAR_EVENT_EXAMPLES, calendarEventProblem } from './calendar-event';
import { installerSchema } from './installer-schema';
import { parseCidr, parseIpv4 } from './ipv4';

const cidr = z.string().refine((v) => parseCidr(v) !== undefined, {
  message: 'is not an IPv4 CIDR; write it as a.b.c.d/nn, e.g. 10.0.1.1/24',
});
const ipv4 = z.string().refine((v) => parseIpv4(v) !== undefined, {
  message: 'is not an IPv4 address; write it as a.b.c.d, e.g. 192.168.1.1',
});
const vmid = z
  .number({ message: 'is not a VM id; write an integer from 100 to 999999999, e.g. 100' })
  .int({ message: 'is not a VM id; write an integer from 100 to 999999999, e.g. 100' })
  .min(100, { message: 'is below 100; PVE reserves ids under 100, use e.g. 100' })
  .max(999999999, { message: 'is above 999999999, the largest VM id PVE accepts' });
const pciId = z
  .string()
  .regex(/^[0-9a-f]{4}:[0-9a-f]{4}$/, {
    message: 'is not a PCI vendor:device id; write it as xxxx:xxxx in lower-case hex, e.g. 10de:2204 (see `lspci -nn`)',
  });
const bridgeName = z.string().regex(/^vmbr\d{1,4}$/, { message: 'is not a bridge name; PVE bridges are named vmbrN, e.g. vmbr1' });
const ifaceName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_.-]{1,19}$/, {
  message: 'is not an interface name; use the NIC name from `ip link`, e.g. enp3s0',
});
const storageId = z.string().regex(/^[a-z][a-z0-9._-]*[a-z0-9]$/i, {
  message: 'is not a PVE storage id; use letters, digits, - _ . starting with a letter, e.g. tank',
});
const dnsName = z.string().regex(/^(?=.{1,63}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/, {
  message: 'is not a valid VM name; PVE wants a DNS name (letters, digits, -), e.g. brain',
});
const configId = z.string().regex(/^[a-z][a-z0-9_-]{1,30}$/i, {
  message: 'is not a valid id; start with a letter, then letters, digits, - or _, e.g. rtx3090',
});
const groupName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{1,17}$/, {
  message: 'is not a security group name; PVE allows 2-18 letters, digits, - _ starting with a letter, e.g. intranet',
});
/** qemu-server `Memory.pm` `$MAX_MEM`: 4 TiB in MiB; the host's own size is checked by plan. */
export const MAX_MEMORY_MIB = 4194304;
const mebibytes = z
  .number({ message: 'is not a memory size; write MiB as an integer, e.g. 4096' })
  .int({ message: 'is not a whole number of MiB; e.g. 4096' })
  .min(16, { message: 'is too small; memory is in MiB (PVE minimum 16), e.g. 4096' })
  .max(MAX_MEMORY_MIB, { message: `is above ${MAX_MEMORY_MIB} MiB (4 TiB), the most qemu-server gives a VM; memory is in MiB, e.g. 8192 for 8 GiB` });
/** No PVE host has more logical CPUs than this; plan checks the real count of the host it read. */
export const MAX_CORES = 1024;
const cores = z
  .number({ message: 'is not a core count; write an integer, e.g. 4' })
  .int({ message: 'is not a whole number of cores; e.g. 4' })
  .min(1, { message: 'is below 1; a VM needs at least one core, e.g. 2' })
  .max(MAX_CORES, { message: `is above ${MAX_CORES}; a VM cannot have more cores than its host has logical CPUs, e.g. 8` });
/** A comment PVE keeps on one line of a config file: no line breaks, and short enough to read. */
export const MAX_COMMENT = 1024;
const comment = z
  .string({ message: 'is not text; write the comment as a string' })
  .max(MAX_COMMENT, { message: `is longer than ${MAX_COMMENT} characters; PVE keeps comments on one config line, shorten it` })
  .refine((v) => !/[\r\n]/.test(v), { message: 'has a line break; PVE keeps a comment on one config line, write it on one line' });
/** `pve-iface` (PVE::JSONSchema): what a firewall rule's `iface` may be. */
const ruleIface = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{1,20}([:.]\d+)?$/, {
  message: 'is not an interface name PVE accepts (letters, digits, _; 2-21 characters, optional .VLAN), e.g. vmbr0 or enp3s0',
});
/** qemu-server's `machine` type pattern (both official schemas, 8.4 and 9.1). */
const machineType = z
  .string()
  .max(40, { message: 'is longer than 40 characters, the most PVE accepts for a machine type' })
  .regex(/^(pc|pc(-i440fx)?-\d+(\.\d+)+(\+pve\d+)?(\.pxe)?|q35|pc-q35-\d+(\.\d+)+(\+pve\d+)?(\.pxe)?|virt(?:-\d+(\.\d+)+)?(\+pve\d+)?)$/, {
    message: 'is not a QEMU machine type PVE accepts; use q35, pc, or a pinned version such as pc-q35-9.2+pve1',
  });
const content = z.enum(['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import'], {
  message: 'is not a PVE content type; use images, rootdir, vztmpl, iso, backup, snippets or import',
});
/** An OpenSSH public key line (what ssh-keygen writes to a .pub file). */
export const SSH_PUBLIC_KEY = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/=]+( .*)?$/;
const policy = z.enum(['ACCEPT', 'REJECT', 'DROP'], { message: 'is not a firewall policy; use ACCEPT, REJECT or DROP' });
const isoVolid = z.string().regex(/^[a-z][a-z0-9._-]*:iso\/[^\s/]+\.iso$/i, {
  message: 'is not an ISO volume; write storage:iso/FILE.iso, e.g. local:iso/Win10_LTSC_2021_x64.iso (what `pvesm list local --content iso` shows)',
});
const volid = z.string().regex(/^[a-z][a-z0-9._-]*:[^\s]+$/i, {
  message: 'is not a PVE volume id; write storage:path, e.g. local:snippets/ubuntu-ai.yaml',
});

const nodeName = z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/, { message: 'is not a node name; e.g. pve1' });
const endpointSchema = z.strictObject({
  host: z.string(),
  port: z.coerce.number().int().min(1).max(65535).default(8006),
  /** SHA-256 of the node's pveproxy certificate (`pvenode cert info`); the join pins the first node's. */
  fingerprint: z.string().regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, { message: 'is not a SHA-256 fingerprint; copy it from `pvenode cert info` (AA:BB:…, 32 pairs)' }).optional(),
});

/** HA for a VM without passed-through devices: restart it on another node when its node fails. */
export const vmHaSchema = z.strictObject({
  /** Nodes it may run on, preferred first (a node-affinity rule on 9.x, an HA group on 8.4); default every node. */
  nodes: z.array(nodeName).default([]),
  /** Only these nodes, never another (rule `strict`, group `restricted`). */
  strict: z.boolean().default(false),
  state: z.enum(['started', 'stopped'], { message: 'is not an HA state Genesis sets; use started or stopped' }).default('started'),
});

/**
 * Storage replication of a VM on a node-local ZFS pool (`/cluster/replication`, pvesr): one job per
 * node in `to`, so HA can start the VM there from the last copy. pve-guest-common
 * `PVE/ReplicationConfig.pm`: `schedule` is a calendar event (default `*\/15`, at most 128
 * characters; format `pve-calendar-event`, checked as pve-common `PVE/CalendarEvent.pm`
 * `parse_calendar_event` does, see `calendar-event.ts`), `rate` a limit in MB/s (at least 1).
 */
export const vmReplicateSchema = z.strictObject({
  to: z.array(nodeName).min(1, { message: 'is empty; name the node(s) to keep a copy on, e.g. [pve3]' }),
  schedule: z
    .string()
    .max(128, { message: 'is longer than the 128 characters PVE allows for a schedule' })
    .superRefine((schedule, ctx) => {
      const problem = calendarEventProblem(schedule);
      if (problem) ctx.addIssue({ code: 'custom', message: `${problem}; write a calendar event such as ${CALENDAR_EVENT_EXAMPLES}` });
    })
    .default('*/15'),
  rate: z.number().min(1, { message: 'is below 1; PVE takes a rate limit of at least 1 MB/s (omit it for no limit)' }).optional(),
});

export const zfsStorageSchema = z.strictObject({
  id: storageId,
  type: z.literal('zfspool'),
  pool: storageId,
  devices: z
    .array(z.string().regex(/^\/dev\/\S+$/, { message: 'is not a device path; write it as /dev/NAME, e.g. /dev/sdb' }))
    .min(1, { message: 'is empty; name the disks of the pool, e.g. [/dev/sdb]' }),
  raidlevel: z.enum(['single', 'mirror', 'raid10', 'raidz', 'raidz2', 'raidz3']).default('single'),
  compression: z.enum(['on', 'off', 'lz4', 'zstd', 'gzip', 'lzjb', 'zle']).default('lz4'),
  ashift: z.number().int().min(9).max(16).default(12),
  content: z.array(content).min(1),
});

export const dirStorageSchema = z.strictObject({
  id: storageId,
  type: z.literal('dir'),
  path: z.string().regex(/^\/\S*$/, { message: 'is not an absolute path; e.g. /var/lib/vz' }),
  content: z.array(content).min(1),
});

export const storageSchema = z.discriminatedUnion('type', [zfsStorageSchema, dirStorageSchema], {
  message: 'needs `type: zfspool` (a ZFS pool on named disks) or `type: dir` (a directory)',
});

export const portForwardSchema = z.strictObject({
  proto: z.enum(['tcp', 'udp'], { message: 'is not a protocol; use tcp or udp' }).default('tcp'),
  /** The port on the uplink's address. */
  port: z.number().int().min(1).max(65535, { message: 'is not a port; use 1-65535' }),
  /** The VM address inside this bridge's subnet. */
  to: ipv4,
  /** The port on the VM; the same as `port` when absent. */
  to_port: z.number().int().min(1).max(65535, { message: 'is not a port; use 1-65535' }).optional(),
  comment: comment.optional(),
});

export const bridgeSchema = z.strictObject({
  name: bridgeName,
  comment: comment.optional(),
  /** Physical ports; none for an internal bridge. */
  ports: z.array(ifaceName).default([]),
  cidr: cidr.optional(),
  gateway: ipv4.optional(),
  /**
   * Masquerade this bridge's subnet out through that bridge (the host policy libs/network renders);
   * nothing from that bridge opens a connection in, unless `forwards` says so.
   */
  nat: bridgeName.optional(),
  /** Other internal bridges this one may open connections to; none by default (each is isolated). */
  reach: z.array(bridgeName).default([]),
  /** Port forwards from the NAT uplink into this bridge: `{ port: 8443, to: 10.0.1.100 }`. */
  forwards: z.array(portForwardSchema).default([]),
  autostart: z.boolean().default(true),
});

export const ruleSchema = z.strictObject({
  type: z.enum(['in', 'out', 'group'], { message: 'is not a rule type; use in, out or group' }),
  action: z.string().min(1, { message: 'is empty; use ACCEPT, DROP or REJECT, or a security group with type: group' }),
  source: z.string().optional(),
  dest: z.string().optional(),
  proto: z.string().optional(),
  dport: z.union([z.string(), z.number()]).transform(String).optional(),
  sport: z.union([z.string(), z.number()]).transform(String).optional(),
  macro: z.string().optional(),
  iface: ruleIface.optional(),
  comment: comment.optional(),
  enable: z.boolean().default(true),
});

export const firewallSchema = z.strictObject({
  enable: z.boolean().default(true),
  policy_in: policy.default('DROP'),
  policy_out: policy.default('ACCEPT'),
  /** Host (cluster-level) rules, in order. */
  rules: z.array(ruleSchema).default([]),
  groups: z
    .array(
      z.strictObject({
        name: groupName,
        comment: comment.optional(),
        rules: z.array(ruleSchema).default([]),
      }),
    )
    .default([]),
});

export const templateSchema = z.strictObject({
  id: vmid,
  name: dnsName,
  ostype: z.enum(['l26', 'win10', 'win11', 'other'], { message: 'is not an OS type Genesis templates use; l26, win10, win11 or other' }),
  bios: z.enum(['seabios', 'ovmf']).default('seabios'),
  machine: machineType.default('q35'),
  cores: cores.default(2),
  memory: mebibytes.default(2048),
  bridge: bridgeName,
  disk: z.strictObject({
    storage: storageId,
    /** GiB of an empty disk; leave out when importing an image. */
    size: z.number().int().min(1).optional(),
    /** A cloud image the host downloads (download-url) and imports with `import-from`. */
    image: z
      .strictObject({
        // download-url's own pattern is `https?://.*`: the host fetches it, so file:// and the like are refused here.
        url: z.url({
          protocol: /^https?$/,
          message: 'is not an http(s) URL; PVE download-url fetches only https:// or http://, e.g. https://cloud-images.ubuntu.com/…/ubuntu-22.04-server-cloudimg-amd64.img',
        }),
        storage: storageId,
        filename: z.string().regex(/^[\w.-]+\.(qcow2|raw|vmdk)$/, {
          message: 'needs an extension PVE accepts for `import` content (.qcow2, .raw, .vmdk); a cloud .img is qcow2, e.g. ubuntu-22.04.qcow2',
        }),
        /** The image's published sum (SHA256SUMS next to it); the host verifies the download against it. */
        checksum: z.string({
          message: 'is missing; pin the image: write checksum: <the sha256 from SHA256SUMS next to the image>, e.g. `curl -s …/SHA256SUMS | grep amd64.img`',
        }),
        checksumAlgorithm: z.enum(['sha256', 'sha512']).default('sha256'),
      })
      .superRefine((image, ctx) => {
        const digits = image.checksumAlgorithm === 'sha256' ? 64 : 128;
        if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(image.checksum))
          ctx.addIssue({
            code: 'custom',
            path: ['checksum'],
            message: `is not a ${image.checksumAlgorithm} sum (${digits} hex digits); copy the image's line from SHA256SUMS next to it (\`sha256sum FILE\` of a copy you trust)`,
          });
      })
      .optional(),
  }),
  /**
   * An OS installed from ISOs on the host's storage (Windows): the ISOs must already be there; the
   * answer media is built here (libs/installer) and uploaded; the template step starts the VM and
   * waits for the guest agent (the install's last step installs it) before converting.
   */
  install: z
    .strictObject({
      /** The installer ISO the user supplies, e.g. local:iso/Win10_LTSC_2021_x64.iso. */
      iso: isoVolid,
      /** The VirtIO drivers ISO (virtio-win.iso from fedorapeople.org). */
      virtio: isoVolid,
      /** Where the answer ISO built from `unattend` is uploaded. */
      answer: z.strictObject({
        storage: storageId,
        filename: z.string().regex(/^[\w.-]+\.iso$/, { message: 'is not an ISO file name PVE accepts; letters, digits, . _ - ending in .iso, e.g. genesis-win10-unattend.iso' }),
      }),
      /**
       * CloudbaseInitSetup_x64.msi (relative to this file) to put on the answer ISO; the first logon
       * installs it for post-clone settings (hostname, network, keys from the configdrive2 drive).
       */
      cloudbaseMsi: z.string().regex(/\.msi$/i, { message: 'is not an .msi file; download CloudbaseInitSetup_x64.msi from cloudbase.it and name it here' }).optional(),
      /** How long the unattended install may take before the template step gives up (minutes). */
      timeout: z.number().int().min(1).max(1440).default(120),
      unattend: z.strictObject({
        computerName: z.string().optional(),
        user: z.string().optional(),
        /** The local account's password; from the environment (e.g. ${GENESIS_WIN_PASSWORD}), never logged. */
        password: z.string().default(''),
      }),
    })
    .optional(),
  cloudinit: z.strictObject({
    storage: storageId,
    type: z.enum(['nocloud', 'configdrive2']).default('nocloud'),
    /** Source of the user-data snippet, relative to the desired-state file. */
    userData: z.string().optional(),
    /** Where the host keeps that snippet (`cicustom user=`). */
    snippet: volid.optional(),
  }),
  efi: z.strictObject({ storage: storageId }).optional(),
  tpm: z.strictObject({ storage: storageId }).optional(),
  /** In a cluster: the node that holds it (default the first); its VMs clone on that node. */
  node: nodeName.optional(),
});

export const gpuSchema = z.strictObject({
  /** The PVE resource mapping id (cluster/mapping/pci). */
  mapping: configId,
  description: comment.optional(),
  /** vendor:device of every function handed to the VM, the GPU first. */
  ids: z.array(pciId).min(1, { message: 'is empty; list the GPU id first, then its audio function, e.g. [10de:2204, 10de:1aef]' }),
});

export const vmSchema = z.strictObject({
  id: vmid,
  name: dnsName,
  template: vmid,
  bridge: bridgeName,
  address: cidr.optional(),
  cores: cores.optional(),
  memory: mebibytes.optional(),
  gpu: configId.optional(),
  firewall: z.strictObject({ group: groupName, policy_in: policy.default('DROP'), policy_out: policy.default('ACCEPT') }).optional(),
  /** linked: a ZFS clone of the template's base disk, near instant; full: a copy. */
  clone: z.enum(['full', 'linked']).default('linked'),
  onboot: z.boolean().default(false),
  /** provision starts the VM and waits for its guest agent (running), or leaves it stopped. */
  state: z.enum(['running', 'stopped'], { message: 'is not a VM state; use running or stopped' }).default('running'),
  /** In a cluster: the node it runs on (default the first). */
  node: nodeName.optional(),
  ha: vmHaSchema.optional(),
  /** In a cluster: keep copies of its disks (a node-local ZFS pool) on other nodes. */
  replicate: vmReplicateSchema.optional(),
});

/** A cluster: the name corosync and the HA manager know it by, and its links (link0 first). */
export const clusterSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,13}[a-zA-Z0-9])?$/, {
    message: 'is not a cluster name; PVE allows up to 15 letters, digits and -, e.g. hive',
  }),
  /** Corosync links: each node's address on the link lies in `network`. */
  links: z.array(z.strictObject({ network: cidr })).min(1, { message: 'is empty; name link0, e.g. [{ network: 192.168.1.0/24 }]' }).max(8, { message: 'has more than the 8 links corosync (knet) carries' }),
});

/** One node of a cluster: how to reach it and what is its own (storage devices, bridges, GPUs). */
export const clusterNodeSchema = z.strictObject({
  name: nodeName,
  endpoint: endpointSchema,
  /** The node's address on each link, link0 first (default: the endpoint host). */
  links: z.array(ipv4).default([]),
  storage: z.array(storageSchema).default([]),
  bridges: z.array(bridgeSchema).default([]),
  gpus: z.array(gpuSchema).default([]),
});

export const desiredStateSchema = z.strictObject({
  version: z.literal(1, { message: 'must be 1, the desired-state format this Genesis reads' }),
  node: z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/, { message: 'is not a node name; e.g. pve' }),
  endpoint: z.strictObject({ host: z.string(), port: z.coerce.number().int().min(1).max(65535).default(8006) }),
  storage: z.array(storageSchema).default([]),
  bridges: z.array(bridgeSchema).default([]),
  firewall: firewallSchema.default({ enable: false, policy_in: 'DROP', policy_out: 'ACCEPT', rules: [], groups: [] }),
  templates: z.array(templateSchema).default([]),
  gpus: z.array(gpuSchema).default([]),
  vms: z.array(vmSchema).default([]),
  installer: installerSchema.optional(),
  /**
   * OpenSSH public keys for the guests: the Ubuntu user-data's first user and each VM's cloud-init
   * `sshkeys`. Empty entries (an unset ${VAR:-}) are dropped.
   */
  ssh_keys: z
    .array(z.string().refine((k) => k.trim() === '' || SSH_PUBLIC_KEY.test(k.trim()), {
      message: 'is not an OpenSSH public key (type base64 [comment]); paste the line of your ~/.ssh/id_ed25519.pub',
    }))
    .default([])
    .transform((keys) => keys.map((k) => k.trim()).filter((k) => k !== '')),
  /** A cluster of `nodes` (the first creates it); without them the file is one node (`node`, `endpoint`). */
  cluster: clusterSchema.optional(),
  nodes: z.array(clusterNodeSchema).optional(),
});

export type DesiredStateInput = z.input<typeof desiredStateSchema>;
export type DesiredSpec = z.output<typeof desiredStateSchema>;
export type StorageSpec = z.output<typeof storageSchema>;
export type ZfsStorageSpec = z.output<typeof zfsStorageSchema>;
export type DirStorageSpec = z.output<typeof dirStorageSchema>;
export type BridgeSpec = z.output<typeof bridgeSchema>;
export type PortForwardSpec = z.output<typeof portForwardSchema>;
export type FirewallSpec = z.output<typeof firewallSchema>;
export type RuleSpec = z.output<typeof ruleSchema>;
export type TemplateSpec = z.output<typeof templateSchema>;
export type GpuSpec = z.output<typeof gpuSchema>;
export type VmSpec = z.output<typeof vmSchema>;
export type ClusterSpec = z.output<typeof clusterSchema>;
export type ClusterNodeSpec = z.output<typeof clusterNodeSchema>;
export type VmHaSpec = z.output<typeof vmHaSchema>;
export type VmReplicateSpec = z.output<typeof vmReplicateSchema>;
