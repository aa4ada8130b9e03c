// SPDX-License-Identifier: MIT
/**
 * Hearth as its own process (the real CLI, `hearth serve`), for the benchmarks and tests that kill or
 * multiply it (bench/kill-writes.bench.ts, bench/two-servers.bench.ts, src/ops/kill-writes.test.ts,
 * src/ops/two-servers.test.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const HEARTH = fileURLToPath(new URL("../../bin/hearth.js", import.meta.url));

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `hearth serve` on the database, answering /readyz; its output kept for a failure's message. */
export const startServer = async (env: NodeJS.ProcessEnv, url: string) => {
  // The flag bin/hearth.js's first line gives a server started as a command (README, "Scaling out").
  const child = spawn(process.execPath, ["--max-semi-space-size=64", HEARTH, "serve"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const started = performance.now();
  while (performance.now() - started < 60_000) {
    if (child.exitCode !== null) throw new Error(`hearth serve exited (${child.exitCode}):\n${output}`);
    const ready = await fetch(new URL("/readyz", url)).catch(() => undefined);
    if (ready?.status === 200) return { child, startMs: performance.now() - started };
    await sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error(`hearth serve was not ready within 60 s:\n${output}`);
};

export const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));
