// Owns finding the top-level `usage` member of a JSON answer while its bytes stream past, in
// constant memory: it tracks only nesting depth, whether it is inside a string, and the name of
// the current top-level key; it copies the bytes of `usage`'s value alone (at most
// MAX_USAGE_BYTES). A 200 MB answer is never held to learn its token counts.
import { usageFromField, type TokenUsage } from './usage';

/** An OpenAI usage object is ~100 bytes, with details a few hundred; more is not a usage object. */
export const MAX_USAGE_BYTES = 64 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
/** Longest top-level key remembered; only "usage" matters. */
const MAX_KEY_BYTES = 16;

/**
 * Structural bytes are ASCII and never occur inside a multi-byte UTF-8 sequence, so the scan
 * works on raw bytes across arbitrary chunk boundaries. Malformed JSON yields no usage, never an
 * error.
 */
export class JsonUsageScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** At depth 1, the next string is a key. */
  private expectKey = false;
  private key: number[] | undefined;
  private keyTooLong = false;
  private lastKey = '';
  private capture: Buffer[] | undefined;
  private captureBytes = 0;
  private captureOverflow = false;
  private captured: Buffer | undefined;

  push(chunk: Buffer): void {
    let i = 0;
    let captureFrom = this.capture ? 0 : -1;
    const n = chunk.length;
    // Positions of the next quote and backslash, found once and reused while a long string is
    // skipped, so a chunk is scanned in linear time.
    let nextQuote = -2;
    let nextBackslash = -2;
    while (i < n) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          if (this.key) this.keyByte(chunk[i]);
          i += 1;
          continue;
        }
        if (nextQuote !== -1 && nextQuote < i) nextQuote = chunk.indexOf(QUOTE, i);
        if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = chunk.indexOf(BACKSLASH, i);
        const stop = Math.min(nextQuote === -1 ? n : nextQuote, nextBackslash === -1 ? n : nextBackslash);
        if (this.key && !this.keyTooLong) for (let k = i; k < Math.min(stop, i + MAX_KEY_BYTES + 1); k++) this.keyByte(chunk[k]);
        if (stop === n) break;
        if (chunk[stop] === BACKSLASH) this.escaped = true;
        else this.endString();
        i = stop + 1;
        continue;
      }
      const b = chunk[i];
      if (b === QUOTE) {
        this.inString = true;
        if (this.depth === 1 && this.expectKey) {
          this.key = [];
          this.keyTooLong = false;
          this.expectKey = false;
        }
      } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
        this.depth += 1;
        if (this.depth === 1) this.expectKey = b === OPEN_OBJECT;
      } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        if (this.depth === 1 && this.capture) this.endCapture(chunk, captureFrom, i);
        this.depth -= 1;
      } else if (b === COMMA && this.depth === 1) {
        if (this.capture) this.endCapture(chunk, captureFrom, i);
        this.expectKey = true;
      } else if (b === COLON && this.depth === 1 && this.lastKey === 'usage' && !this.capture) {
        this.capture = [];
        this.captureBytes = 0;
        this.captureOverflow = false;
        captureFrom = i + 1;
      }
      i += 1;
    }
    if (this.capture && captureFrom >= 0) this.keep(chunk, captureFrom, n);
  }

  /** The usage found so far (the last `usage` member wins, as in JSON.parse). */
  result(): TokenUsage {
    if (!this.captured) return { source: 'none' };
    let value: unknown;
    try {
      value = JSON.parse(this.captured.toString('utf8'));
    } catch {
      return { source: 'none' };
    }
    return usageFromField(value) ?? { source: 'none' };
  }

  private keyByte(b: number): void {
    if (!this.key) return;
    if (this.key.length >= MAX_KEY_BYTES) this.keyTooLong = true;
    else this.key.push(b);
  }

  private endString(): void {
    this.inString = false;
    if (!this.key) return;
    this.lastKey = this.keyTooLong ? '' : String.fromCharCode(...this.key);
    this.key = undefined;
  }

  private keep(chunk: Buffer, from: number, to: number): void {
    if (!this.capture || this.captureOverflow || to <= from) return;
    this.captureBytes += to - from;
    if (this.captureBytes > MAX_USAGE_BYTES) {
      this.captureOverflow = true;
      this.capture = [];
      return;
    }
    this.capture.push(Buffer.from(chunk.subarray(from, to)));
  }

  private endCapture(chunk: Buffer, from: number, to: number): void {
    this.keep(chunk, from, to);
    if (this.capture && !this.captureOverflow) this.captured = Buffer.concat(this.capture);
    this.capture = undefined;
    this.lastKey = '';
  }
}
