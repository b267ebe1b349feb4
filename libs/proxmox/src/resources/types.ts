/**
 * What every resource kind has in common: the same four verbs (read, diff, apply, verify) and the
 * Change / Check records the engine prints.
 */
import type { HostChannel } from '@genesis/host-channel';
import type { PveApi } from '../client/types';
import type { ProgressFn } from '../api/tasks';
import type { DesiredState } from '../state/load';

/**
 * In dependency order: storage before templates, bridges before VMs, the host's GPU passthrough
 * setup (files on the host, not API) before the GPU mapping, the mapping before VM 100, NAT and the
 * forwarding policy (host files) right after the bridges whose stanzas carry the NAT lines.
 */
export const RESOURCE_KINDS = ['storage', 'gpu-host', 'pci-mapping', 'bridge', 'host-network', 'firewall', 'template', 'vm'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export type Action = 'create' | 'update' | 'delete' | 'unchanged';

export interface FieldChange {
  field: string;
  from?: unknown;
  to?: unknown;
}

export interface Change<D = unknown, C = unknown> {
  kind: ResourceKind;
  /** What a reader calls it: `storage tank`, `vm 100 (brain)`. */
  id: string;
  action: Action;
  fields: FieldChange[];
  desired?: D;
  current?: C;
  /** Things the user must know (e.g. a step the API cannot do); they do not block. */
  notes?: string[];
  /** Things that make the change impossible as planned; apply refuses the whole plan. */
  problems?: string[];
  /** A unified diff of host files the change writes (host steps), shown in the plan. */
  diff?: string[];
}

/** What the host steps need besides the API: the channel to the host and the user's consent flags. */
export interface HostContext {
  host?: HostChannel;
  /** Reboot the host when a host step needs it (--reboot). */
  reboot?: boolean;
  /** The GPU drives the host's only console, and the user accepts that (--confirm-console). */
  confirmConsole?: boolean;
  progress?: ProgressFn;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ApplyContext extends HostContext {
  state: DesiredState;
  progress: ProgressFn;
  /**
   * Puts a file on a host storage where the API cannot (snippets). Present when the run has a way
   * to the host's filesystem (the embedded simulator); absent, the step stops with the command to run.
   */
  placeFile?: (volid: string, content: string) => Promise<void>;
}

export interface DiffOptions {
  /** Delete what exists on the host but is not declared. */
  prune: boolean;
  /** Names `--prune=NAME` allows deleting although Genesis did not make them (e.g. local-lvm). */
  pruneNames?: string[];
}

export interface Resource<Current = unknown> {
  kind: ResourceKind;
  read(api: PveApi, state: DesiredState, host?: HostContext): Promise<Current>;
  diff(state: DesiredState, current: Current, options: DiffOptions): Change[];
  apply(api: PveApi, change: Change, ctx: ApplyContext): Promise<void>;
  verify(api: PveApi, state: DesiredState, host?: HostContext): Promise<Check[]>;
}

export const unchanged = (kind: ResourceKind, id: string): Change => ({ kind, id, action: 'unchanged', fields: [] });

/** Booleans arrive as 1/0, true/false or absent depending on the endpoint. */
export const truthy = (v: unknown): boolean => v === true || v === 1 || v === '1';
