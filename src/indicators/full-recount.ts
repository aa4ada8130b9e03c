// SPDX-License-Identifier: MIT
/**
 * A full recount's plan (unit-recount.ts) worked out on two threads. On PGlite the database runs on the
 * caller's thread, and splitting the records' texts, building 100,000 children and working out, digesting
 * and counting their units took as long again as reading them. So the children are split by their ids'
 * first character: a worker thread takes the first part, splitting its records while the caller's thread
 * reads the next table, then both build their children and work out their units at once. The caller's
 * part counts its units' places (`ord`) on from the worker's, so the plan is exactly the one-thread plan
 * (the tests compare them). Where a worker cannot start or fails, the plan is worked out on this thread.
 */
import { getHeapStatistics } from "node:v8";
import { Worker } from "node:worker_threads";
import type { Trx } from "../data/repository-scope.ts";
import { buildChildren, type ChildRecords, ownerOf, parseRecords } from "./child-models.ts";
import { loadChildren, readChildRecords } from "./loader.ts";
import type { IsoDate, Period } from "./model.ts";
import type { FromRecountWorker, ToRecountWorker } from "./recount-worker.ts";
import {
  countUnits,
  joinParts,
  planPart,
  planRecount,
  type RecountPlan,
  type StoredChild,
} from "./unit-recount.ts";

/** The worker's young generation, as the processes' own (bin/hearth.js: three 64 MB semi-spaces). */
const YOUNG_GENERATION_MB = 192;
/**
 * Children whose ids start below this go to the worker (9 of 16 characters): the caller's thread also
 * splits its own records' texts after reading, which the worker did while it read.
 */
const WORKER_BELOW = "9";
/**
 * A worker takes about a second to start (it loads the indicators through tsx), hidden behind reading a
 * large partnership's records but not a small one's: below this many children counted at the last
 * recount (none at the first), one thread.
 */
const TWO_THREADS_FROM = 20_000;

const startWorker = (entryUrl: URL): Worker | undefined => {
  // The worker loads TypeScript as this thread does, through tsx, registered first on its own thread:
  // loader hooks are a thread's own, and a worker started on the .ts file by itself could not read it.
  const api = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  const entry = JSON.stringify(entryUrl.href);
  try {
    return new Worker(`import(${api}).then(({ register }) => { register(); return import(${entry}); });`, {
      eval: true,
      resourceLimits: {
        maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
        // As large as this thread's: the worker holds its part's children and their units.
        maxOldGenerationSizeMb: Math.ceil(getHeapStatistics().heap_size_limit / 2 ** 20),
      },
    });
  } catch {
    return undefined;
  }
};

/** The records split between the worker's part and this thread's, each child's with its child's part. */
const splitter = () => {
  let owner = (id: string) => id;
  const toWorker = (id: string) => owner(id) < WORKER_BELOW;
  const split = <T extends { person_id: string }>(rows: T[]): [T[], T[]] => {
    const theirs: T[] = [];
    const ours: T[] = [];
    for (const row of rows) (toWorker(row.person_id) ? theirs : ours).push(row);
    return [theirs, ours];
  };
  return <K extends keyof ChildRecords>(
    table: K,
    records: ChildRecords[K],
  ): [ChildRecords[K], ChildRecords[K]] => {
    if (table === "merged") {
      owner = ownerOf(records as ChildRecords["merged"]);
      return [records, records];
    }
    if (table === "users") return [records, records];
    if (table === "people") {
      const people = records as ChildRecords["people"];
      return [people.filter((p) => p.head < WORKER_BELOW), people.filter((p) => p.head >= WORKER_BELOW)] as [
        ChildRecords[K],
        ChildRecords[K],
      ];
    }
    return split(records as { person_id: string }[]) as unknown as [ChildRecords[K], ChildRecords[K]];
  };
};

/** The worker failed: it could not load, say, or ran out of memory. */
class RecountWorkerFailed extends Error {}

/** What the worker sends, in order, as promises (each rejected if the worker fails first). */
const fromWorker = (worker: Worker) => {
  let resolveGiven: (given: Map<string, number>) => void = () => undefined;
  let resolvePart: (part: Extract<FromRecountWorker, { part: unknown }>["part"]) => void = () => undefined;
  const given = new Promise<Map<string, number>>((resolve) => {
    resolveGiven = resolve;
  });
  const part = new Promise<Extract<FromRecountWorker, { part: unknown }>["part"]>((resolve) => {
    resolvePart = resolve;
  });
  const failed = new Promise<never>((_, reject) => {
    worker.once("error", (error) =>
      reject(new RecountWorkerFailed(`the recount's worker failed: ${error.message}`, { cause: error })),
    );
    worker.once("exit", (code) =>
      reject(new RecountWorkerFailed(`the recount's worker stopped (exit code ${code})`)),
    );
  });
  worker.on("message", (message: FromRecountWorker) => {
    if ("given" in message) resolveGiven(message.given);
    else resolvePart(message.part);
  });
  const received = { given: Promise.race([given, failed]), part: Promise.race([part, failed]) };
  // A failure (or the worker's end, once this thread gave up on it) must not go unhandled before, or
  // without, being awaited: an unhandled rejection would stop the process.
  for (const promise of [failed, received.given, received.part]) promise.catch(() => undefined);
  return received;
};

/**
 * Reads every child's records and plans a full recount.
 * @param trx - A transaction in the caller's partnership scope.
 * @param stored - Every counted child's stored row.
 * @param options - For the tests: two threads however few the children, or another worker module.
 * @returns The plan, and on how many threads it was worked out.
 */
export const planFullRecount = async (
  trx: Trx,
  periods: readonly Period[],
  stored: Map<string, StoredChild>,
  asOf: IsoDate,
  options: { twoThreadsFrom?: number; workerEntry?: URL } = {},
): Promise<RecountPlan & { threads: 1 | 2 }> => {
  const onOneThread = async () => ({
    ...planRecount(await loadChildren(trx), periods, stored, asOf),
    threads: 1 as const,
  });
  if (stored.size < (options.twoThreadsFrom ?? TWO_THREADS_FROM)) return onOneThread();
  const worker = startWorker(options.workerEntry ?? new URL("./recount-worker.ts", import.meta.url));
  if (!worker) return onOneThread();
  const received = fromWorker(worker);
  const send = (message: ToRecountWorker) => worker.postMessage(message);
  try {
    const split = splitter();
    const ours: Partial<ChildRecords> = {};
    await readChildRecords(trx, undefined, (table, records) => {
      const [theirs, own] = split(table, records);
      send({ table, records: theirs });
      ours[table] = own;
    });
    const theirStored = new Map([...stored].filter(([id]) => id < WORKER_BELOW));
    send({ plan: { periods: [...periods], stored: theirStored, asOf } });
    try {
      const run = countUnits(buildChildren(parseRecords(ours as ChildRecords)), periods);
      const own = planPart(run, await received.given, stored, asOf);
      return { ...joinParts([await received.part, own], stored, asOf), threads: 2 };
    } catch (error) {
      // The worker failed (it could not load, say): the plan on this thread alone, which fails alike if
      // the plan itself does. Anything else is thrown.
      if (!(error instanceof RecountWorkerFailed)) throw error;
    }
  } finally {
    await worker.terminate();
  }
  return onOneThread();
};
