/** Ollama has no /metrics: /api/ps lists the loaded models and their VRAM, /api/tags the installed ones. */
import { z } from 'zod';
import { EndpointError, type HttpGet, type LlmReading, authHeaders, emptyReading, endpointUrl } from './reading';

const psSchema = z.object({
  models: z
    .array(
      z.object({
        name: z.string(),
        model: z.string().optional(),
        size: z.number().nonnegative(),
        size_vram: z.number().nonnegative().optional(),
        expires_at: z.string().optional(),
      }),
    )
    .nullable()
    .default([]),
});

const tagsSchema = z.object({
  models: z.array(z.object({ name: z.string(), size: z.number().nonnegative() })).nullable().default([]),
});

async function getJson<T>(url: string, schema: z.ZodType<T>, get: HttpGet, signal: AbortSignal, apiKey?: string): Promise<T> {
  const response = await get(url, { signal, headers: authHeaders(apiKey) });
  if (response.status !== 200) throw new EndpointError(url, `HTTP ${response.status}`);
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    throw new EndpointError(url, 'not JSON; is this an Ollama server?');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new EndpointError(url, `unexpected shape: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export async function sampleOllama(baseUrl: string, get: HttpGet, signal: AbortSignal, apiKey?: string): Promise<LlmReading> {
  const [ps, tags] = await Promise.all([
    getJson(endpointUrl(baseUrl, 'api/ps'), psSchema, get, signal, apiKey),
    getJson(endpointUrl(baseUrl, 'api/tags'), tagsSchema, get, signal, apiKey),
  ]);
  const reading = emptyReading(true);
  reading.loadedModels = (ps.models ?? []).map((m) => {
    const expires = m.expires_at ? Date.parse(m.expires_at) : NaN;
    return { model: m.name, sizeBytes: m.size, vramBytes: m.size_vram ?? 0, expiresAt: Number.isNaN(expires) ? undefined : expires / 1000 };
  });
  reading.availableModels = (tags.models ?? []).map((m) => ({ model: m.name, sizeBytes: m.size }));
  return reading;
}
