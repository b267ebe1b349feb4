/** The answer file as the Proxmox VE automated installer reads it (proxmox-installer-types `answer.rs`). */

export type FqdnConfig = { kind: 'simple'; fqdn: string } | { kind: 'from-dhcp'; domain?: string };

export interface GlobalOptions {
  country: string;
  fqdn: FqdnConfig;
  keyboard: string;
  mailto: string;
  timezone: string;
  rootPassword?: string;
  rootPasswordHashed?: string;
  rebootOnError: boolean;
  rebootMode: 'reboot' | 'power-off';
  rootSshKeys: string[];
  subscriptionKey?: string;
}

export interface Pinning {
  enabled: boolean;
  mapping: Record<string, string>;
}

export type NetworkConfig =
  | { source: 'from-dhcp'; pinning?: Pinning }
  | { source: 'from-answer'; cidr: string; dns: string; gateway: string; filter: Record<string, string>; pinning?: Pinning };

export interface ZfsOptions {
  raid?: string;
  ashift?: number;
  arcMax?: number;
  checksum?: string;
  compress?: string;
  copies?: number;
  hdsize?: number;
}

export interface LvmOptions {
  hdsize?: number;
  swapsize?: number;
  maxroot?: number;
  maxvz?: number;
  minfree?: number;
}

export interface BtrfsOptions {
  hdsize?: number;
  raid?: string;
  compress?: string;
}

export interface DiskSetup {
  filesystem: 'ext4' | 'xfs' | 'zfs' | 'btrfs';
  diskList: string[];
  filter: Record<string, string>;
  filterMatch?: 'any' | 'all';
  zfs?: ZfsOptions;
  lvm?: LvmOptions;
  btrfs?: BtrfsOptions;
}

export interface PostInstallationWebhook {
  url: string;
  certFingerprint?: string;
  authToken?: string;
}

export interface FirstBoot {
  source: 'from-url' | 'from-iso';
  ordering: 'before-network' | 'network-online' | 'fully-up';
  url?: string;
  certFingerprint?: string;
}

export interface AnswerFile {
  global: GlobalOptions;
  network: NetworkConfig;
  disks: DiskSetup;
  postInstallationWebhook?: PostInstallationWebhook;
  firstBoot?: FirstBoot;
}
