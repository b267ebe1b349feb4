// Owns token accounting for OpenAI-compatible answers: the `usage` object of a JSON answer, or,
// for a server-sent-event stream, the usage chunk when the server sends one
// (stream_options.include_usage) and otherwise one token per chunk that carries generated text.
// Counts come from the upstream, so they are data to check, not to trust: a count that is not a
// plausible token count is left out of the metrics and reported, never passed to a counter.
// Memory is bounded whatever the upstream sends (see MAX_SSE_EVENT_CHARS).

export interface TokenUsage {
  promptTokens?: number;
  completionTokens?: number;
  /** Where completionTokens came from. */
  source: 'usage' | 'counted' | 'none';
  /** Counts the upstream sent that were ignored, e.g. `completion_tokens -3 is negative`. */
  rejected?: string[];
}

/**
 * More tokens than any model's context window holds (the largest are about 10 M): a count above
 * this is a broken server, and one such answer would skew a rate forever.
 */
export const MAX_TOKEN_COUNT = 10_000_000;

/** The count when it is a plausible number of tokens, else undefined with the reason in `rejected`. */
export function tokenCount(field: string, value: unknown, rejected: string[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  let why: string | undefined;
  if (typeof value !== 'number') why = `is a ${typeof value}, not a number`;
  else if (!Number.isFinite(value)) why = `${value} is not finite`;
  else if (!Number.isInteger(value)) why = `${value} is not a whole number`;
  else if (value < 0) why = `${value} is negative`;
  else if (value > MAX_TOKEN_COUNT) why = `${value} is above ${MAX_TOKEN_COUNT}`;
  if (why === undefined) return value as number;
  rejected.push(`${field} ${why}`);
  return undefined;
}

/** Reads a `usage` value; undefined when it carries no count at all (valid or not). */
export function usageFromField(usage: unknown): TokenUsage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const u = usage as { prompt_tokens?: unknown; completion_tokens?: unknown };
  if (u.prompt_tokens === undefined && u.completion_tokens === undefined) return undefined;
  const rejected: string[] = [];
  const promptTokens = tokenCount('prompt_tokens', u.prompt_tokens, rejected);
  const completionTokens = tokenCount('completion_tokens', u.completion_tokens, rejected);
  return { promptTokens, completionTokens, source: 'usage', ...(rejected.length ? { rejected } : {}) };
}

/** Usage of a complete (non-streaming) JSON answer. */
export function usageFromBody(body: unknown): TokenUsage {
  return usageFromField((body as { usage?: unknown } | null)?.usage) ?? { source: 'none' };
}

/**
 * The longest SSE event (its `data:` lines together) or partial line held while waiting for the
 * rest; an OpenAI chunk is a few hundred bytes. A longer event passes through to the client
 * untouched but is not parsed, so a hostile stream without blank lines cannot grow this buffer.
 */
export const MAX_SSE_EVENT_CHARS = 1024 * 1024;

interface StreamChunk {
  usage?: unknown;
  choices?: Array<{ text?: unknown; delta?: { content?: unknown; reasoning_content?: unknown } }>;
}

/**
 * Fed the raw bytes of an SSE stream as they pass through; never alters them. Lines may be split
 * across network chunks (CRLF included), so it keeps the unfinished line, at most
 * MAX_SSE_EVENT_CHARS of it.
 */
export class SseUsageCounter {
  private partial = '';
  /** Inside a line longer than the bound: drop it up to its end. */
  private skippingLine = false;
  private data: string[] = [];
  private dataChars = 0;
  private eventTooLong = false;
  private counted = 0;
  private reported: TokenUsage | undefined;
  private readonly decoder = new TextDecoder();
  /** Events longer than MAX_SSE_EVENT_CHARS, passed on but not parsed. */
  oversizedEvents = 0;
  /** performance.now() of the first chunk that carried generated text. */
  firstTokenAt: number | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  push(bytes: Uint8Array): void {
    const text = this.decoder.decode(bytes, { stream: true });
    let start = 0;
    let end: number;
    while ((end = text.indexOf('\n', start)) !== -1) {
      if (this.skippingLine) this.skippingLine = false;
      else this.line(this.partial + text.slice(start, end));
      this.partial = '';
      start = end + 1;
    }
    if (this.skippingLine || start === text.length) return;
    if (this.partial.length + text.length - start > MAX_SSE_EVENT_CHARS) {
      this.partial = '';
      this.skippingLine = true;
      this.eventTooLong = true;
    } else {
      this.partial += text.slice(start);
    }
  }

  /** Totals once the stream ended; a final event without its blank line still counts. */
  finish(): TokenUsage {
    if (!this.skippingLine && this.partial) this.line(this.partial);
    this.partial = '';
    this.dispatch();
    const rejected = this.reported?.rejected;
    if (this.reported?.completionTokens !== undefined) return this.reported;
    if (this.counted > 0) {
      return { promptTokens: this.reported?.promptTokens, completionTokens: this.counted, source: 'counted', ...(rejected ? { rejected } : {}) };
    }
    return this.reported ?? { source: 'none' };
  }

  private line(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') return this.dispatch();
    if (!line.startsWith('data:') || this.eventTooLong) return; // comments, `event:`, `id:`
    const value = line.charCodeAt(5) === 0x20 ? line.slice(6) : line.slice(5);
    this.dataChars += value.length;
    if (this.dataChars > MAX_SSE_EVENT_CHARS) {
      this.eventTooLong = true;
      this.data = [];
    } else {
      this.data.push(value);
    }
  }

  private dispatch(): void {
    const data = this.data.join('\n');
    const tooLong = this.eventTooLong;
    this.data = [];
    this.dataChars = 0;
    this.eventTooLong = false;
    if (tooLong) {
      this.oversizedEvents += 1;
      return;
    }
    if (!data || data === '[DONE]') return;
    let chunk: StreamChunk;
    try {
      chunk = JSON.parse(data) as StreamChunk;
    } catch {
      return; // not JSON (keep-alives, error text): nothing to count
    }
    if (!chunk || typeof chunk !== 'object') return;
    const usage = usageFromField(chunk.usage);
    if (usage) this.reported = usage;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    const carriesText = choices.some((c) => {
      const text = c?.delta?.content ?? c?.delta?.reasoning_content ?? c?.text;
      return typeof text === 'string' && text.length > 0;
    });
    if (carriesText) {
      this.counted += 1;
      this.firstTokenAt ??= this.now();
    }
  }
}
