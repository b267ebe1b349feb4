/**
 * One plan's reads: every GET goes out once per run, however many resources ask for it (the
 * templates and the VMs both list `/nodes/{node}/qemu`; apply's management guard wants the network
 * the plan already read). Concurrent callers share the request in flight; each gets its own copy of
 * the answer, so one resource sorting a list cannot reorder another's. Writes pass straight through
 * and forget every remembered read: after a write the host may answer differently.
 */
import type { PveApi, PveParams, PveTaskStatus, WaitForTaskOptions } from '../client/types';

export class ReadMemo implements PveApi {
  private readonly answers = new Map<string, Promise<unknown>>();
  /** GETs that reached the inner API (the rest were answered from memory). */
  sent = 0;

  constructor(private readonly inner: PveApi) {}

  get node(): string {
    return this.inner.node;
  }

  get<T>(path: string, params?: PveParams): Promise<T> {
    const key = memoKey(path, params);
    let answer = this.answers.get(key);
    if (!answer) {
      this.sent++;
      answer = this.inner.get<T>(path, params);
      this.answers.set(key, answer);
      // A failed read is not remembered: the next caller asks again (the client already retried).
      answer.catch(() => this.answers.get(key) === answer && this.answers.delete(key));
    }
    return answer.then((v) => structuredClone(v) as T);
  }
  post<T>(path: string, params?: PveParams): Promise<T> {
    this.forget();
    return this.inner.post<T>(path, params);
  }
  put<T>(path: string, params?: PveParams): Promise<T> {
    this.forget();
    return this.inner.put<T>(path, params);
  }
  delete<T>(path: string, params?: PveParams): Promise<T> {
    this.forget();
    return this.inner.delete<T>(path, params);
  }
  waitForTask(upid: string, options?: WaitForTaskOptions): Promise<PveTaskStatus> {
    return this.inner.waitForTask(upid, options);
  }

  /** Drops every remembered answer (the host changed). */
  forget(): void {
    this.answers.clear();
  }
}

function memoKey(path: string, params?: PveParams): string {
  if (!params) return path;
  const defined = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return defined.length ? `${path}?${JSON.stringify(defined)}` : path;
}
