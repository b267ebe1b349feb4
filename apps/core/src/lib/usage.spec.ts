import { MAX_SSE_EVENT_CHARS, MAX_TOKEN_COUNT, SseUsageCounter, tokenCount, usageFromBody } from './usage';

const enc = (s: string) => new TextEncoder().encode(s);
const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`;

describe('usageFromBody', () => {
  it('reads the usage object of a complete answer', () => {
    expect(usageFromBody({ usage: { prompt_tokens: 3, completion_tokens: 9 } })).toEqual({
      promptTokens: 3,
      completionTokens: 9,
      source: 'usage',
    });
  });
  it('leaves out counts that are not plausible token counts and says why', () => {
    expect(usageFromBody({ usage: { prompt_tokens: -2, completion_tokens: Infinity } })).toEqual({
      promptTokens: undefined,
      completionTokens: undefined,
      source: 'usage',
      rejected: ['prompt_tokens -2 is negative', 'completion_tokens Infinity is not finite'],
    });
  });
  it('reports none for answers without usage', () => {
    expect(usageFromBody({ data: [] })).toEqual({ source: 'none' });
    expect(usageFromBody(null)).toEqual({ source: 'none' });
  });
});

describe('tokenCount', () => {
  it.each([
    [0, 0, undefined],
    [42, 42, undefined],
    [MAX_TOKEN_COUNT, MAX_TOKEN_COUNT, undefined],
    [-1, undefined, 'n -1 is negative'],
    [1.5, undefined, 'n 1.5 is not a whole number'],
    [NaN, undefined, 'n NaN is not finite'],
    [-Infinity, undefined, 'n -Infinity is not finite'],
    [MAX_TOKEN_COUNT + 1, undefined, `n ${MAX_TOKEN_COUNT + 1} is above ${MAX_TOKEN_COUNT}`],
    ['7', undefined, 'n is a string, not a number'],
    [true, undefined, 'n is a boolean, not a number'],
    [null, undefined, undefined],
  ])('%p gives %p', (value, expected, why) => {
    const rejected: string[] = [];
    expect(tokenCount('n', value, rejected)).toBe(expected);
    expect(rejected).toEqual(why ? [why] : []);
  });
});

describe('SseUsageCounter', () => {
  it('counts one token per chunk with text, even when events are split across reads', () => {
    const stream = chunk('Hel') + chunk('lo') + ': keep-alive\n\n' + chunk('') + 'data: [DONE]\n\n';
    const counter = new SseUsageCounter();
    for (let i = 0; i < stream.length; i += 7) counter.push(enc(stream.slice(i, i + 7)));
    expect(counter.finish()).toEqual({ promptTokens: undefined, completionTokens: 2, source: 'counted' });
  });

  it('prefers the usage chunk the server sends over its own count', () => {
    const counter = new SseUsageCounter();
    counter.push(enc(chunk('a') + `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 42 } })}\n\n`));
    expect(counter.finish()).toEqual({ promptTokens: 5, completionTokens: 42, source: 'usage' });
  });

  it('handles CRLF framing, legacy completions `text` and a last event without its blank line', () => {
    const counter = new SseUsageCounter();
    counter.push(enc(`data: {"choices":[{"text":"x"}]}\r\n\r\ndata: {"choices":[{"text":"y"}]}`));
    expect(counter.finish().completionTokens).toBe(2);
  });

  it('notes when the first token arrived', () => {
    let t = 100;
    const counter = new SseUsageCounter(() => t);
    counter.push(enc('data: {"choices":[{"delta":{"role":"assistant"}}]}\n\n'));
    t = 250;
    counter.push(enc(chunk('x')));
    t = 400;
    counter.push(enc(chunk('y')));
    expect(counter.firstTokenAt).toBe(250);
  });

  it('handles a CRLF split between two reads', () => {
    const counter = new SseUsageCounter();
    counter.push(enc('data: {"choices":[{"text":"x"}]}\r'));
    counter.push(enc('\n\r\ndata: {"choices":[{"text":"y"}]}\r\n\r\n'));
    expect(counter.finish().completionTokens).toBe(2);
  });

  it('drops a usage chunk with a bad count and falls back to counting', () => {
    const counter = new SseUsageCounter();
    counter.push(enc(chunk('a') + chunk('b') + `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 3, completion_tokens: -9 } })}\n\n`));
    expect(counter.finish()).toEqual({ promptTokens: 3, completionTokens: 2, source: 'counted', rejected: ['completion_tokens -9 is negative'] });
  });

  it('never holds more than MAX_SSE_EVENT_CHARS of an event without an end, and recovers after it', () => {
    const counter = new SseUsageCounter();
    const piece = enc('x'.repeat(64 * 1024));
    counter.push(enc('data: '));
    for (let i = 0; i < 40; i++) counter.push(piece); // 2.5 MiB of one line, no newline
    counter.push(enc('\n\n' + chunk('after')));
    const multiLine = Array.from({ length: 20 }, () => 'data: ' + 'y'.repeat(64 * 1024)).join('\n');
    counter.push(enc(multiLine + '\n\n' + chunk('again')));
    expect(counter.oversizedEvents).toBe(2);
    expect(counter.finish()).toMatchObject({ completionTokens: 2, source: 'counted' });
    expect(MAX_SSE_EVENT_CHARS).toBeLessThan(40 * 64 * 1024);
  });

  it('ignores events that are JSON but not chunks', () => {
    const counter = new SseUsageCounter();
    counter.push(enc('data: null\n\ndata: 5\n\ndata: {"choices":"no"}\n\ndata: {"choices":[null]}\n\n'));
    expect(counter.finish()).toEqual({ source: 'none' });
  });
});
