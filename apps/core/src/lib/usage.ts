// Owns token accounting for OpenAI-compatible answers: the `usage` object of a whole JSON
// response, or, for a server-sent-event stream, the usage chunk when the server sends one
// (stream_options.include_usage) and otherwise one token per chunk that carries generated text.

export interface TokenUsage {
  promptTokens?: number;
  completionTokens?: number;
  /** Where completionTokens came from. */
  source: 'usage' | 'counted' | 'none';
}

interface UsageField {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
}

function fromUsageField(usage: UsageField | undefined): TokenUsage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const prompt = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : undefined;
  const completion = typeof usage.completion_tokens === 'number' ? usage.completion_tokens : undefined;
  if (prompt === undefined && completion === undefined) return undefined;
  return { promptTokens: prompt, completionTokens: completion, source: 'usage' };
}

/** Usage of a complete (non-streaming) JSON answer. */
export function usageFromBody(body: unknown): TokenUsage {
  const usage = (body as { usage?: UsageField } | null)?.usage;
  return fromUsageField(usage) ?? { source: 'none' };
}

interface StreamChunk {
  usage?: UsageField | null;
  choices?: Array<{ text?: unknown; delta?: { content?: unknown; reasoning_content?: unknown } }>;
}

/**
 * Fed the raw bytes of an SSE stream as they pass through; never alters them. Events may be
 * split across network chunks, so it buffers up to the next blank line.
 */
export class SseUsageCounter {
  private buffer = '';
  private counted = 0;
  private reported: TokenUsage | undefined;
  private readonly decoder = new TextDecoder();
  /** performance.now() of the first chunk that carried generated text. */
  firstTokenAt: number | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  push(bytes: Uint8Array): void {
    this.buffer += this.decoder.decode(bytes, { stream: true }).replace(/\r\n/g, '\n');
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) !== -1) {
      this.event(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 2);
    }
  }

  /** Totals once the stream ended; a final event without its blank line still counts. */
  finish(): TokenUsage {
    if (this.buffer.trim()) this.event(this.buffer);
    this.buffer = '';
    if (this.reported?.completionTokens !== undefined) return this.reported;
    if (this.counted > 0) return { promptTokens: this.reported?.promptTokens, completionTokens: this.counted, source: 'counted' };
    return this.reported ?? { source: 'none' };
  }

  private event(raw: string): void {
    const data = raw
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (!data || data === '[DONE]') return;
    let chunk: StreamChunk;
    try {
      chunk = JSON.parse(data) as StreamChunk;
    } catch {
      return; // not JSON (comments, keep-alives): nothing to count
    }
    const usage = fromUsageField(chunk.usage ?? undefined);
    if (usage) this.reported = usage;
    const carriesText = (chunk.choices ?? []).some((c) => {
      const text = c.delta?.content ?? c.delta?.reasoning_content ?? c.text;
      return typeof text === 'string' && text.length > 0;
    });
    if (carriesText) {
      this.counted += 1;
      this.firstTokenAt ??= this.now();
    }
  }
}
