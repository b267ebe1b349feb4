/**
 * Measuring wrappers for the plan benchmark and tests: SerialApi lets one request out at a time
 * (the baseline the parallel reads are compared against: same code path, same requests, no
 * concurrency), CountingApi counts requests, RoundCountingApi the latency rounds they form.
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

/**
 * Counts the latency rounds a run's reads form: a request sent after an answer came back is one
 * round deeper than that answer. `rounds` is the deepest chain, what a run waits for on a slow link
 * however fast the CPUs are (the plan benchmark prints it beside wall time / latency).
 */
export class RoundCountingApi implements PveApi {
  private answered = 0;
  rounds = 0;

  constructor(private readonly inner: PveApi) {}

  get node(): string {
    return this.inner.node;
  }
  private track<T>(call: () => Promise<T>): Promise<T> {
    const depth = this.answered + 1;
    this.rounds = Math.max(this.rounds, depth);
    const settle = () => {
      this.answered = Math.max(this.answered, depth);
    };
    return call().then(
      (v) => (settle(), v),
      (e: unknown) => {
        settle();
        throw e;
      },
    );
  }
  get<T>(path: string, params?: PveParams): Promise<T> {
    return this.track(() => this.inner.get<T>(path, params));
  }
  post<T>(path: string, params?: PveParams): Promise<T> {
    return this.track(() => this.inner.post<T>(path, params));
  }
  put<T>(path: string, params?: PveParams): Promise<T> {
    return this.track(() => this.inner.put<T>(path, params));
  }
  delete<T>(path: string, params?: PveParams): Promise<T> {
    return this.track(() => this.inner.delete<T>(path, params));
  }
  waitForTask(upid: string, options?: WaitForTaskOptions): Promise<PveTaskStatus> {
    return this.inner.waitForTask(upid, options);
  }
}
