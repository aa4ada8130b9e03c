// SPDX-License-Identifier: MIT
/**
 * CPU time a measurement cost, per request: the benchmark's own process (the Hearth server, and PGlite,
 * which runs inside it) and, when PostgreSQL runs on this machine, every PostgreSQL process. Throughput
 * says how fast the machine served; this says what each request cost and on which side, which bounds
 * the throughput any machine of that size can reach.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Linux counts process CPU time in ticks of 1/100 s (`getconf CLK_TCK`). */
const TICK_MS = 10;

/** CPU milliseconds so far: this process, and all PostgreSQL processes (null where none can be read). */
export type CpuReading = { hearthMs: number; postgresMs: number | null };

/** The user and system time of every process named `postgres`, in ms; null without /proc or PostgreSQL. */
const postgresCpuMs = (): number | null => {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  let ticks = 0;
  let found = false;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ...": the name may hold spaces, so fields are counted after its closing bracket.
      const close = stat.lastIndexOf(")");
      if (stat.slice(stat.indexOf("(") + 1, close) !== "postgres") continue;
      const fields = stat.slice(close + 2).split(" ");
      // Fields 14 and 15 of the line (utime, stime) are the 12th and 13th after the name.
      ticks += Number(fields[11]) + Number(fields[12]);
      found = true;
    } catch {
      // A process that ended while being read.
    }
  }
  return found ? ticks * TICK_MS : null;
};

export const readCpu = (): CpuReading => {
  const own = process.cpuUsage();
  return { hearthMs: (own.user + own.system) / 1000, postgresMs: postgresCpuMs() };
};

/** CPU ms per request between two readings; PostgreSQL's null unless both readings have it. */
export const cpuPerRequest = (
  start: CpuReading,
  end: CpuReading,
  requests: number,
): { hearthCpuMs: number | null; postgresCpuMs: number | null } => {
  if (requests <= 0) return { hearthCpuMs: null, postgresCpuMs: null };
  return {
    hearthCpuMs: (end.hearthMs - start.hearthMs) / requests,
    postgresCpuMs:
      start.postgresMs === null || end.postgresMs === null
        ? null
        : (end.postgresMs - start.postgresMs) / requests,
  };
};
