import { JsonUsageScanner, MAX_USAGE_BYTES } from './json-usage';

function scan(text: string, chunkSize = text.length): ReturnType<JsonUsageScanner['result']> {
  const scanner = new JsonUsageScanner();
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunkSize) scanner.push(bytes.subarray(i, i + chunkSize));
  return scanner.result();
}

const answer = JSON.stringify({
  id: 'cmpl-1',
  choices: [{ index: 0, message: { role: 'assistant', content: 'a "usage": {"completion_tokens": 999} inside text, \\ and ü' } }],
  meta: { usage: { completion_tokens: 888 } },
  usage: { prompt_tokens: 7, completion_tokens: 4, total_tokens: 11, completion_tokens_details: { reasoning_tokens: 0 } },
  after: [1, { x: '}' }],
});

describe('JsonUsageScanner', () => {
  it('finds the top-level usage, not one inside a string or a nested object', () => {
    expect(scan(answer)).toEqual({ promptTokens: 7, completionTokens: 4, source: 'usage' });
  });

  it('gives the same answer however the bytes are split (every split of 1 to 7 bytes)', () => {
    for (let size = 1; size <= 7; size++) expect(scan(answer, size)).toEqual({ promptTokens: 7, completionTokens: 4, source: 'usage' });
  });

  it('reads usage as the last member, before the closing brace, with whitespace around', () => {
    expect(scan('{ "choices" : [] ,\n "usage" :\n {"prompt_tokens":1,"completion_tokens":2}\n}\n', 3)).toMatchObject({ completionTokens: 2 });
  });

  it('lets the last usage member win, as JSON.parse does', () => {
    expect(scan('{"usage":{"completion_tokens":1},"usage":{"completion_tokens":2}}')).toMatchObject({ completionTokens: 2 });
  });

  it('validates what it finds like any other usage', () => {
    expect(scan('{"usage":{"prompt_tokens":7,"completion_tokens":-1}}')).toEqual({
      promptTokens: 7,
      completionTokens: undefined,
      source: 'usage',
      rejected: ['completion_tokens -1 is negative'],
    });
  });

  it('reports none for answers without usage, arrays, malformed or truncated JSON', () => {
    expect(scan('{"data":[]}')).toEqual({ source: 'none' });
    expect(scan('[{"usage":{"completion_tokens":1}}]')).toEqual({ source: 'none' });
    expect(scan('{"usage":{"completion_tokens":')).toEqual({ source: 'none' });
    expect(scan('{"usage":nonsense}')).toEqual({ source: 'none' });
    expect(scan('')).toEqual({ source: 'none' });
  });

  it('gives up on a usage value larger than MAX_USAGE_BYTES instead of holding it', () => {
    const huge = `{"usage":{"completion_tokens":1,"pad":"${'x'.repeat(MAX_USAGE_BYTES)}"}}`;
    expect(scan(huge, 4096)).toEqual({ source: 'none' });
  });

  it('skips a very long key without keeping it', () => {
    expect(scan(`{"${'k'.repeat(100_000)}":1,"usage":{"completion_tokens":3}}`, 1000)).toMatchObject({ completionTokens: 3 });
  });
});
