/**
 * A PveApi that lets one request out at a time: the baseline the plan benchmark compares the
 * parallel reads against (same code path, same requests, no concurrency).
 */
import type { PveApi, PveParams, PveTaskStatus, WaitForTaskOptions } from '../client/types';

export class SerialApi implements PveApi {
  private queue: Promise<unknown> = Promise.resolve();
  requests = 0;

  constructor(private readonly inner: PveApi) {}

  get node(): string {
    return this.inner.node;
  }

  private run<T>(call: () => Promise<T>): Promise<T> {
    const next = this.queue.then(call, call);
    this.queue = next.catch(() => undefined);
    this.requests++;
    return next;
  }

  get<T>(path: string, params?: PveParams): Promise<T> {
    return this.run(() => this.inner.get<T>(path, params));
  }
  post<T>(path: string, params?: PveParams): Promise<T> {
    return this.run(() => this.inner.post<T>(path, params));
  }
  put<T>(path: string, params?: PveParams): Promise<T> {
    return this.run(() => this.inner.put<T>(path, params));
  }
  delete<T>(path: string, params?: PveParams): Promise<T> {
    return this.run(() => this.inner.delete<T>(path, params));
  }
  waitForTask(upid: string, options?: WaitForTaskOptions): Promise<PveTaskStatus> {
    return this.run(() => this.inner.waitForTask(upid, options));
  }
}

/** Counts requests by method, for the benchmark and for "no mutating request" checks. */
export class CountingApi implements PveApi {
  counts = { GET: 0, POST: 0, PUT: 0, DELETE: 0 };

  constructor(private readonly inner: PveApi) {}

  get node(): string {
    return this.inner.node;
  }
  get total(): number {
    return this.counts.GET + this.counts.POST + this.counts.PUT + this.counts.DELETE;
  }
  get<T>(path: string, params?: PveParams): Promise<T> {
    this.counts.GET++;
    return this.inner.get<T>(path, params);
  }
  post<T>(path: string, params?: PveParams): Promise<T> {
    this.counts.POST++;
    return this.inner.post<T>(path, params);
  }
  put<T>(path: string, params?: PveParams): Promise<T> {
    this.counts.PUT++;
    return this.inner.put<T>(path, params);
  }
  delete<T>(path: string, params?: PveParams): Promise<T> {
    this.counts.DELETE++;
    return this.inner.delete<T>(path, params);
  }
  waitForTask(upid: string, options?: WaitForTaskOptions): Promise<PveTaskStatus> {
    return this.inner.waitForTask(upid, options);
  }
}
