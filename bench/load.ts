// SPDX-License-Identifier: MIT
/**
 * The load generator, run by {@link measure} in its own process so that autocannon never shares an event
 * loop with the server it measures. Receives one {@link LoadRequest} over IPC, replies with a
 * {@link LoadSummary}, and exits.
 */
import autocannon from "autocannon";
import type { LoadRequest, LoadSummary } from "./support.ts";

/** The latency at percentile `p` (nearest rank) of ascending `sorted`, in milliseconds. */
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

const load = async (request: LoadRequest): Promise<LoadSummary> => {
  const options = { url: request.url, connections: request.connections, headers: request.headers };
  if (request.warmupSeconds > 0) await autocannon({ ...options, duration: request.warmupSeconds });
  // The parent reads the CPU used from here on.
  process.send?.("measuring");
  // autocannon's own histogram has no 95th percentile, so keep every response time.
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ ...options, duration: request.seconds }, (error, done) =>
      error ? reject(error) : resolve(done),
    );
    instance.on("response", (_client, _status, _bytes, milliseconds) => latencies.push(milliseconds));
  });
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    seconds: result.duration,
  };
};

process.once("message", async (request: LoadRequest) => {
  const summary = await load(request);
  process.send?.(summary, () => process.exit(0));
});
