/**
 * The LLM server for bench/core-memory: answers POST /v1/chat/completions with an answer of
 * `bench_size_mb` megabytes (a field of the request body) generated on the fly: a JSON answer, or
 * an SSE stream when the request says `stream: true`, with the same writers as core's tests.
 * Prints `{"port":N}` once listening.
 */
import { bigJsonAnswer, bigSseAnswer, startScriptedLlm } from '../../apps/core/src/test-support/scripted-llm';

async function main(): Promise<void> {
  const llm = await startScriptedLlm((_req, res, body) => {
    const request = JSON.parse(body) as { stream?: boolean; bench_size_mb?: number };
    const bytes = (request.bench_size_mb ?? 200) * 1024 * 1024;
    return (request.stream ? bigSseAnswer(bytes) : bigJsonAnswer(bytes)).write(res);
  });
  process.stdout.write(`${JSON.stringify({ port: Number(new URL(llm.baseUrl).port) })}\n`);
}

void main();
