/**
 * Turns a bouncing button line into presses. A press is an edge towards the active level that
 * follows a quiet period of at least `debounceMs` (no edge of either kind): a mechanical contact
 * chatters for a few milliseconds on press and on release, and every edge of the chatter
 * restarts the quiet period. Works on the kernel's event timestamps, so a burst of events read
 * late from the pipe is judged by when it happened, not by when it arrived.
 */
import type { EdgeEvent } from './dialects';

export class ButtonDebouncer {
  private lastEdgeNs?: bigint;
  private readonly quietNs: bigint;

  constructor(
    private readonly options: { offset: number; activeLow: boolean; debounceMs: number },
  ) {
    this.quietNs = BigInt(Math.round(options.debounceMs * 1_000_000));
  }

  /** True when this edge is a press. */
  accept(event: EdgeEvent): boolean {
    if (event.offset !== this.options.offset) return false;
    const previous = this.lastEdgeNs;
    this.lastEdgeNs = event.timestampNs;
    const towardsActive = event.edge === (this.options.activeLow ? 'falling' : 'rising');
    if (!towardsActive) return false;
    return previous === undefined || event.timestampNs - previous >= this.quietNs;
  }
}
