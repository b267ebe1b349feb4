// Owns the two clocks of one forwarded request: the total deadline (LLM_TIMEOUT_MS, from the
// request's arrival to the answer's last byte) and the idle deadline (LLM_IDLE_TIMEOUT_MS, the
// longest silence allowed once the LLM server has started answering). Either one aborts `signal`,
// which ends the upstream request at whatever stage it is: connecting, waiting for headers, or
// in the middle of the body.

export type DeadlineKind = 'total' | 'idle';

export class UpstreamTimeoutError extends Error {
  constructor(
    readonly kind: DeadlineKind,
    readonly timeoutMs: number,
  ) {
    super(
      kind === 'total'
        ? `the LLM server did not finish its answer within ${timeoutMs} ms (LLM_TIMEOUT_MS)`
        : `the LLM server sent nothing for ${timeoutMs} ms in the middle of its answer (LLM_IDLE_TIMEOUT_MS)`,
    );
    this.name = 'UpstreamTimeoutError';
  }
}

export class RequestDeadline {
  private readonly controller = new AbortController();
  private readonly total: NodeJS.Timeout;
  private idle: NodeJS.Timeout | undefined;

  constructor(
    totalMs: number,
    private readonly idleMs: number,
  ) {
    this.total = setTimeout(() => this.expire(new UpstreamTimeoutError('total', totalMs)), totalMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the deadline fired, once it has. */
  get expired(): UpstreamTimeoutError | undefined {
    return this.controller.signal.aborted ? (this.controller.signal.reason as UpstreamTimeoutError) : undefined;
  }

  /** (Re)starts the idle clock: when the answer's headers arrive and on every piece of its body. */
  touch(): void {
    clearTimeout(this.idle);
    if (this.controller.signal.aborted) return;
    this.idle = setTimeout(() => this.expire(new UpstreamTimeoutError('idle', this.idleMs)), this.idleMs);
  }

  /** Stops the idle clock while the wait is on our side (a slow client), not the server's. */
  pauseIdle(): void {
    clearTimeout(this.idle);
    this.idle = undefined;
  }

  /** The request is over: no timer may outlive it. */
  clear(): void {
    clearTimeout(this.total);
    clearTimeout(this.idle);
  }

  private expire(reason: UpstreamTimeoutError): void {
    this.clear();
    this.controller.abort(reason);
  }
}
