import { SseUsageCounter, usageFromBody } from './usage';

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
  it('reports none for answers without usage', () => {
    expect(usageFromBody({ data: [] })).toEqual({ source: 'none' });
    expect(usageFromBody(null)).toEqual({ source: 'none' });
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
});
