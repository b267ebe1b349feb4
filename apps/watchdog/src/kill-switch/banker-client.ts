/**
 * Banker's control API as the watchdog uses it: POST /halt with the bearer token (apps/banker,
 * src/lib/app.ts). The token goes in the Authorization header only, never in a log or an error.
 */
export interface HaltResult {
  trading: string;
  changed: boolean;
}

export class BankerClient {
  constructor(private readonly options: { url: string; token: string; timeoutMs: number }) {}

  async halt(reason: string): Promise<HaltResult> {
    const url = new URL('/halt', this.options.url);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason, actor: 'watchdog' }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : (e.cause?.code ?? e.message);
      throw new Error(`Banker at ${url.origin} unreachable: ${why}`);
    }
    const text = await res.text();
    if (res.status === 401) throw new Error(`Banker refused the token (401); fix: the watchdog's banker token must equal BANKER_CONTROL_TOKEN`);
    if (!res.ok) throw new Error(`Banker answered ${res.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as HaltResult;
  }
}
