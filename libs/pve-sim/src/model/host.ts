/**
 * The simulated node: its state, the options that shape its behaviour, and the task machinery
 * every asynchronous API call goes through (UPIDs, status, log, atomic failure).
 */
import type { RequestContext } from './context';
import { PveError } from './errors';
import type { PveRelease } from './release';
import type { ManagementNetwork, SimState, TaskState } from './state';

export interface GuestExecResult {
  exitcode: number;
  out?: string;
  err?: string;
}

/** Answers `agent/exec` for a guest; return undefined to fall back to the built-in commands. */
export type GuestExecHook = (vmid: number, command: string[]) => GuestExecResult | undefined;

export interface HostBehaviour {
  /** The Proxmox VE release the host runs: its /version, schema, QEMU and defaults. */
  release: PveRelease;
  /** How long a task reports `running` before `stopped` (default 150 ms). */
  taskDurationMs: number;
  /** How long after start the guest agent begins answering (default 300 ms). */
  agentStartupMs: number;
  management: ManagementNetwork;
  /** Any applied change to the management bridge cuts the API off (for rollback tests). */
  cutManagementOnBridgeChange: boolean;
  /** When cut off, restore the previous network after this long, as a console rollback would. */
  managementRollbackMs?: number;
  guestExec?: GuestExecHook;
  /** How long a Windows unattended install runs before its guest agent answers (default 500 ms). */
  unattendedInstallMs?: number;
  /**
   * What `download-url` fetches, by URL: the file's sums as the remote serves it. A URL not listed
   * serves a file whose sum is the one the request pins (the simulator has no internet).
   */
  remoteFiles?: Record<string, { sha256?: string; sha512?: string; size?: number }>;
}

export class SimHost {
  private rollbackTimer?: NodeJS.Timeout;

  constructor(
    public state: SimState,
    public behaviour: HostBehaviour,
    private readonly persist: (state: SimState) => void,
  ) {}

  get node(): string {
    return this.state.node;
  }

  save(): void {
    this.persist(this.state);
  }

  assertNode(node: string): void {
    if (node !== this.node) {
      // What pveproxy says when asked to proxy to a node name it cannot resolve.
      throw new PveError(
        500,
        `hostname lookup '${node}' failed - failed to get address info for: ${node}: Name or service not known`,
      );
    }
  }

  /**
   * Starts a task. `work` runs now; if it throws (or a taskFail fault matched), every change it
   * made is rolled back and the task ends with the error as exitstatus, as a failed PVE worker.
   */
  startTask(
    ctx: RequestContext,
    type: string,
    id: string,
    work: (log: (line: string) => void) => void,
    options: { durationMs?: number } = {},
  ): string {
    const nowMs = Date.now();
    const pid = this.state.nextPid++;
    const starttime = Math.floor(nowMs / 1000);
    const pstart = Math.max(1, (starttime - this.state.bootTime) * 100);
    const user = ctx.auth.tokenId;
    const upid =
      `UPID:${this.node}:${hex8(pid)}:${hex8(pstart)}:${hex8(starttime)}:` + `${type}:${id}:${user}:`;
    const log: string[] = [];
    const before = structuredClone({ ...this.state, tasks: [] });
    let exitstatus = 'OK';
    try {
      work((line) => log.push(line));
      if (ctx.taskFailure) throw new Error(ctx.taskFailure);
    } catch (error) {
      exitstatus = (error instanceof Error ? error.message : String(error)).replace(/\n+$/, '');
      const tasks = this.state.tasks;
      const nextPid = this.state.nextPid;
      this.state = Object.assign(this.state, before, { tasks, nextPid });
    }
    log.push(exitstatus === 'OK' ? 'TASK OK' : `TASK ERROR: ${exitstatus}`);
    const task: TaskState = {
      upid,
      type,
      id,
      user,
      pid,
      pstart,
      starttime,
      endsAtMs: nowMs + (options.durationMs ?? this.behaviour.taskDurationMs),
      exitstatus,
      log,
    };
    this.state.tasks.push(task);
    // A real node keeps its task index bounded too.
    if (this.state.tasks.length > 1000) this.state.tasks.splice(0, this.state.tasks.length - 1000);
    return upid;
  }

  findTask(upid: string): TaskState {
    const task = this.state.tasks.find((t) => t.upid === upid);
    if (!task) throw new PveError(500, `unable to parse worker upid '${upid}'`);
    return task;
  }

  /** How many reloads cut the management link since start (tests observe a cut a fast rollback undid). */
  managementCuts = 0;

  scheduleManagementRollback(restore: () => void): void {
    this.managementCuts++;
    clearTimeout(this.rollbackTimer);
    if (this.behaviour.managementRollbackMs === undefined) return;
    this.rollbackTimer = setTimeout(restore, this.behaviour.managementRollbackMs);
    this.rollbackTimer.unref();
  }

  dispose(): void {
    clearTimeout(this.rollbackTimer);
  }
}

export function hex8(value: number): string {
  return value.toString(16).toUpperCase().padStart(8, '0');
}

export function isTaskRunning(task: TaskState, nowMs = Date.now()): boolean {
  return nowMs < task.endsAtMs;
}
