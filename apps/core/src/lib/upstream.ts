// Owns the conversation with the LLM server: which request headers go upstream (and the
// configured key instead of the client's), which answer headers come back, and the cached
// reachability probe behind /readyz.
import type { IncomingHttpHeaders } from 'node:http';

/** Request headers worth forwarding; everything else (cookies, hop-by-hop) stays here. */
const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept', 'openai-organization', 'openai-project', 'x-request-id'];
/** Answer headers passed back to the client; length and encoding are recomputed locally. */
export const RETURNED_RESPONSE_HEADERS = ['content-type', 'cache-control', 'x-request-id', 'openai-processing-ms'];

export interface UpstreamOptions {
  baseUrl: string;
  apiKey: string | undefined;
}

export class LlmUpstream {
  constructor(private readonly options: UpstreamOptions) {}

  /** `path` is relative to the base URL, e.g. "/chat/completions". */
  url(path: string): string {
    return this.options.baseUrl + path;
  }

  headers(incoming: IncomingHttpHeaders): Record<string, string> {
    const out: Record<string, string> = { 'accept-encoding': 'identity' };
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = incoming[name];
      if (typeof value === 'string') out[name] = value;
    }
    if (this.options.apiKey) out.authorization = `Bearer ${this.options.apiKey}`;
    else if (typeof incoming.authorization === 'string') out.authorization = incoming.authorization;
    return out;
  }

  /**
   * Sends one request. `signal` carries both the request's deadlines and the client leaving; it
   * keeps governing the body after this resolves with the answer's headers.
   */
  send(
    method: 'GET' | 'POST',
    path: string,
    incoming: IncomingHttpHeaders,
    body: string | undefined,
    signal: AbortSignal,
  ): Promise<Response> {
    return fetch(this.url(path), { method, headers: this.headers(incoming), body, signal });
  }
}

export interface ProbeResult {
  reachable: boolean;
  /** HTTP status of GET <base>/models, when the server answered. */
  status?: number;
  reason?: string;
  checkedAt: string;
}

/**
 * Readiness means "the LLM server answers GET /models with 2xx". The result is reused for
 * `cacheMs` and concurrent callers share one probe, so a busy /readyz never floods the server.
 */
export class CachedProbe {
  private last: { at: number; result: ProbeResult } | undefined;
  private inFlight: Promise<ProbeResult> | undefined;

  constructor(
    private readonly upstream: LlmUpstream,
    private readonly cacheMs: number,
    private readonly probeTimeoutMs: number,
    private readonly onResult: (r: ProbeResult) => void = () => undefined,
  ) {}

  check(): Promise<ProbeResult> {
    if (this.last && Date.now() - this.last.at < this.cacheMs) return Promise.resolve(this.last.result);
    this.inFlight ??= this.probe().then((result) => {
      this.last = { at: Date.now(), result };
      this.inFlight = undefined;
      this.onResult(result);
      return result;
    });
    return this.inFlight;
  }

  private async probe(): Promise<ProbeResult> {
    const checkedAt = new Date().toISOString();
    try {
      const res = await fetch(this.upstream.url('/models'), {
        headers: this.upstream.headers({}),
        signal: AbortSignal.timeout(this.probeTimeoutMs),
      });
      await res.body?.cancel().catch(() => undefined); // only the status matters; never read a body here
      if (res.ok) return { reachable: true, status: res.status, checkedAt };
      const hint = res.status === 401 || res.status === 403 ? ' (check LLM_API_KEY)' : '';
      return { reachable: false, status: res.status, reason: `GET /models answered ${res.status}${hint}`, checkedAt };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${this.probeTimeoutMs} ms` : (e.cause?.code ?? e.message);
      return { reachable: false, reason: `cannot reach the LLM server: ${why}`, checkedAt };
    }
  }
}
