// SPDX-License-Identifier: MIT
/**
 * A full recount's worker thread (full-recount.ts): takes the first part of the children, in the
 * computation's order. It splits each table's records as the caller's thread sends them, while that
 * thread reads the next (on PGlite the database runs on the caller's thread, so the two overlap); then it
 * builds its children, works out their units, sends how many units each indicator and period gave (the
 * caller's part counts on from them), and sends its part of the plan (unit-recount.ts).
 */
import { parentPort } from "node:worker_threads";
import {
  buildChildren,
  type ChildRecords,
  type CodedTable,
  type ParsedRecords,
  parseCodedTable,
} from "./child-models.ts";
import type { IsoDate, Period } from "./model.ts";
import { countUnits, type PartPlan, planPart, type StoredChild } from "./unit-recount.ts";

/** A message from the caller's thread: a table's records (this part's), then what to plan with. */
export type ToRecountWorker =
  | { table: keyof ChildRecords; records: ChildRecords[keyof ChildRecords] }
  | { plan: { periods: Period[]; stored: Map<string, StoredChild>; asOf: IsoDate } };

/** A message to the caller's thread: the units given, then this part's plan. */
export type FromRecountWorker = { given: Map<string, number> } | { part: PartPlan };

const CODED_TABLES: readonly string[] = ["events", "chronology", "involvements"] satisfies CodedTable[];

const port = parentPort;
if (port) {
  const records: Record<string, unknown> = {};
  const send = (message: FromRecountWorker) => port.postMessage(message);
  port.on("message", (message: ToRecountWorker) => {
    if ("table" in message) {
      records[message.table] = CODED_TABLES.includes(message.table)
        ? parseCodedTable(message.table as CodedTable, message.records as ChildRecords[CodedTable])
        : message.records;
      return;
    }
    const { periods, stored, asOf } = message.plan;
    const run = countUnits(buildChildren(records as ParsedRecords), periods);
    send({ given: run.given });
    send({ part: planPart(run, new Map(), stored, asOf) });
  });
}
