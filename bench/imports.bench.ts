// SPDX-License-Identifier: MIT
/**
 * Agency imports at scale (issue 13): 1,000,000 school attendance rows and 200,000 hospital appointments
 * imported into a 100,000-child partnership through `hearth import`'s engine (read through the mapping,
 * matched set-based per batch, fates, entries, signals and audit in committed batches), then every signal
 * rule evaluated for every child, on PGlite and PostgreSQL. The baseline, measured in the same run, is a
 * bare `COPY` of the same file into a table of text columns on the same engine: the import's cost above it
 * is matching and recording.
 *
 * The partnership is made by the generator (src/generator/generate-partnership.ts) and the files by its
 * feeds (src/generator/feeds.ts), each format at the smallest scale that reaches its number of rows; the
 * attendance file is every school's rows in one file (as a local authority's feed), imported as the first
 * school's, and each file is cut at its number of rows.
 *
 * Settings: BENCH_IMPORT_CHILDREN (100000), BENCH_IMPORT_ATTENDANCE_ROWS (1000000),
 * BENCH_IMPORT_APPOINTMENT_ROWS (200000), BENCH_IMPORT_BATCH (1000, rows committed together),
 * BENCH_ENGINES (pglite,postgres). A small run: BENCH_IMPORT_CHILDREN=1000
 * BENCH_IMPORT_ATTENDANCE_ROWS=10000 BENCH_IMPORT_APPOINTMENT_ROWS=2000.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendAudit } from "../src/audit/audit-log.ts";
import { type HearthDatabase, openDatabase, withPartnershipScope } from "../src/db/database.ts";
import { generateFeeds } from "../src/generator/feeds.ts";
import { generatePartnership } from "../src/generator/generate-partnership.ts";
import type { ImportFormat } from "../src/imports/codes.ts";
import { prepareImport, processImport } from "../src/imports/engine.ts";
import { evaluateSignalsForPartnership } from "../src/signals/store.ts";
import { createPostgresDatabase, saveResults, settings, timestamp } from "./support.ts";

const children = Number(process.env.BENCH_IMPORT_CHILDREN ?? 100_000);
const targets: { format: ImportFormat; rows: number }[] = [
  { format: "attendance", rows: Number(process.env.BENCH_IMPORT_ATTENDANCE_ROWS ?? 1_000_000) },
  { format: "appointments-csv", rows: Number(process.env.BENCH_IMPORT_APPOINTMENT_ROWS ?? 200_000) },
];
const batchSize = Number(process.env.BENCH_IMPORT_BATCH ?? 1000);
const engines = (process.env.BENCH_ENGINES ?? "pglite,postgres").split(",").map((e) => e.trim());
const seconds = (since: number) => (performance.now() - since) / 1000;
const round = (n: number, places = 1) => Math.round(n * 10 ** places) / 10 ** places;

type Copy = (file: string, columns: number) => Promise<{ rows: number; seconds?: number }>;

/**
 * One file of a format with at most `rows` data rows: the format's files (every school's, for attendance)
 * joined under one header, from the feeds at the smallest scale that has enough rows.
 */
const feedFile = async (
  database: HearthDatabase,
  folder: string,
  partnershipId: string,
  target: { format: ImportFormat; rows: number },
): Promise<{ path: string; agency: string; rows: number; scale: number }> => {
  let scale = 1;
  for (;;) {
    const out = join(folder, `${target.format}-${scale}`);
    const files = (
      await generateFeeds(database, out, {
        partnershipId,
        seed: "imports-bench",
        scale,
        formats: [target.format],
      })
    ).filter((f) => f.format === target.format);
    const available = files.reduce((sum, f) => sum + f.rows, 0);
    if (available >= target.rows || available === 0 || scale >= 50) {
      let header = "";
      const lines: string[] = [];
      for (const file of files) {
        const [first = "", ...rest] = (await readFile(join(out, file.file), "utf8")).split("\n");
        header ||= first;
        for (const line of rest) if (line !== "" && lines.length < target.rows) lines.push(line);
      }
      const path = join(folder, `${target.format}.csv`);
      await writeFile(path, `${header}\n${lines.join("\n")}\n`, "utf8");
      await rm(out, { recursive: true, force: true });
      return { path, agency: files[0]?.agency ?? "", rows: lines.length, scale };
    }
    await rm(out, { recursive: true, force: true });
    scale = Math.ceil((scale * target.rows) / Math.max(1, available));
  }
};

/** A progress callback that prints every twentieth of the way (a stall shows within minutes at full size), with the seconds since `started`. */
const everyTwentieth = (indent: string, started: number) => {
  let last = 0;
  return (done: number, total: number) => {
    if (done - last < total / 20 && done !== total) return;
    last = done;
    process.stdout.write(
      `${indent}${done.toLocaleString()} of ${total.toLocaleString()} (${round(seconds(started))} s)\n`,
    );
  };
};

const benchmarkEngine = async (label: string, database: HearthDatabase, copy: Copy) => {
  console.log(`${label}: generating a partnership of ${children.toLocaleString()} children...`);
  let started = performance.now();
  const partnership = await generatePartnership(database, {
    seed: "imports-bench",
    children,
    name: "Imports bench",
    onProgress: everyTwentieth("  ", started),
  });
  const generateSeconds = seconds(started);
  console.log(
    `  ${partnership.counts.people.toLocaleString()} people, ${partnership.counts.events.toLocaleString()} entries in ${round(generateSeconds)} s`,
  );
  const folder = await mkdtemp(join(tmpdir(), "hearth-bench-feeds-"));
  const files = [];
  try {
    const agencies = await database.unsafeOwnerDb
      .selectFrom("agencies")
      .select(["agency_id", "name"])
      .where("partnership_id", "=", partnership.partnershipId)
      .execute();
    for (const target of targets) {
      started = performance.now();
      const file = await feedFile(database, folder, partnership.partnershipId, target);
      console.log(
        `  ${target.format}: ${file.rows.toLocaleString()} rows (feeds at scale ${file.scale}) in ${round(seconds(started))} s`,
      );
      const content = await readFile(file.path, "utf8");
      const copied = await copy(file.path, content.split("\n", 1)[0]?.split(",").length ?? 1);
      const agencyId = agencies.find((a) => a.name === file.agency)?.agency_id ?? "";
      started = performance.now();
      const prepared = await prepareImport(database, {
        partnershipId: partnership.partnershipId,
        agencyId,
        format: target.format,
        fileName: `${target.format}.csv`,
        content,
        actor: null,
      });
      const summary = await processImport(database, {
        partnershipId: partnership.partnershipId,
        importId: prepared.importId,
        content,
        actor: null,
        batchSize,
        onProgress: everyTwentieth("    ", started),
      });
      const importSeconds = seconds(started);
      const copySeconds = copied.seconds ?? 0;
      files.push({
        database: label,
        format: target.format,
        rows: summary.total,
        copiedRows: copied.rows,
        importSeconds: round(importSeconds),
        rowsPerSecond: Math.round(summary.total / importSeconds),
        copySeconds: round(copySeconds, 2),
        copyRowsPerSecond: Math.round(copied.rows / Math.max(copySeconds, 0.001)),
        entries: summary.counts["entry-created"],
        noEntry: summary.counts["no-entry"],
        review: summary.counts.review,
        unmatched: summary.counts.unmatched,
        rejected: summary.counts.rejected,
        duplicates: summary.counts.duplicate,
      });
      console.log(`  ${target.format}: ${summary.total.toLocaleString()} rows in ${round(importSeconds)} s`);
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  console.log(`  evaluating every rule for every child...`);
  started = performance.now();
  const childCount = { n: 0 };
  const fired = await withPartnershipScope(database, partnership.partnershipId, (trx) =>
    evaluateSignalsForPartnership(trx, {
      partnershipId: partnership.partnershipId,
      audit: (entry) => appendAudit(trx, { ...entry, partnershipId: partnership.partnershipId, actor: null }),
      progress: (_done, total) => {
        childCount.n = total;
      },
    }),
  );
  const evaluateSeconds = seconds(started);
  const evaluation = {
    database: label,
    children: childCount.n,
    seconds: round(evaluateSeconds),
    childrenPerSecond: Math.round(childCount.n / evaluateSeconds),
    signals: fired.length,
  };
  console.log(
    `  ${evaluation.children.toLocaleString()} children in ${evaluation.seconds} s, ${fired.length.toLocaleString()} new signals`,
  );
  return { generateSeconds: round(generateSeconds), files, evaluation };
};

// Dropping the benchmark's PostgreSQL database ends any connection a pool still holds idle: not a failure.
process.on("uncaughtException", (error: Error & { code?: string }) => {
  if (error.code === "57P01") return;
  throw error;
});

const stamp = timestamp();
const results: (Awaited<ReturnType<typeof benchmarkEngine>> & { database: string })[] = [];

if (engines.includes("pglite")) {
  // PGlite's COPY reads from a blob; a second in-memory instance keeps the baseline's table apart.
  const { PGlite } = await import("@electric-sql/pglite");
  const copyEngine = await PGlite.create("memory://");
  const pgliteCopy: Copy = async (file, columns) => {
    const table = `copy_${Math.random().toString(36).slice(2)}`;
    await copyEngine.exec(
      `create table ${table} (${Array.from({ length: columns }, (_, i) => `c${i} text`).join(", ")})`,
    );
    const blob = new Blob([await readFile(file)]);
    const started = performance.now();
    await copyEngine.query(`copy ${table} from '/dev/blob' with (format csv, header true)`, [], { blob });
    const elapsed = seconds(started);
    const { rows } = await copyEngine.query<{ n: number }>(`select count(*)::int as n from ${table}`);
    await copyEngine.exec(`drop table ${table}`);
    return { rows: rows[0]?.n ?? 0, seconds: elapsed };
  };
  // A data folder, as `npm start` uses: at the issue's sizes the database is a few gigabytes.
  const dataDir = await mkdtemp(join(tmpdir(), "hearth-bench-imports-pglite-"));
  const pglite = await openDatabase({ engine: "pglite", dataDir });
  try {
    results.push({ database: "PGlite", ...(await benchmarkEngine("PGlite", pglite, pgliteCopy)) });
  } finally {
    await pglite.close();
    await copyEngine.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (engines.includes("postgres"))
  try {
    const server = await createPostgresDatabase(`hearth_bench_imports_${stamp}`);
    const url = server.target.engine === "postgres" ? server.target.connectionString : "";
    const database = await openDatabase(server.target);
    // psql's \copy streams the file as COPY FROM STDIN; its own timing excludes psql's start-up.
    const postgresCopy: Copy = async (file, columns) => {
      const table = `copy_${Math.random().toString(36).slice(2)}`;
      const out = execFileSync(
        "psql",
        [
          url,
          "-c",
          `create table ${table} (${Array.from({ length: columns }, (_, i) => `c${i} text`).join(", ")})`,
          "-c",
          "\\timing on",
          "-c",
          `\\copy ${table} from '${file}' with (format csv, header true)`,
          "-c",
          `drop table ${table}`,
        ],
        { encoding: "utf8" },
      );
      const copied = Number(/COPY (\d+)/.exec(out)?.[1] ?? 0);
      const ms = Number(/Time: ([\d.]+) ms/.exec(out)?.[1] ?? 0);
      return { rows: copied, seconds: ms / 1000 };
    };
    try {
      results.push({
        database: "PostgreSQL",
        ...(await benchmarkEngine("PostgreSQL", database, postgresCopy)),
      });
    } finally {
      await database.close();
      await server.drop();
    }
  } catch (error) {
    console.log(`PostgreSQL failed or skipped: ${(error as Error).message} (${settings.postgresUrl})`);
  }

console.log(
  `\n${"database".padEnd(11)}${"format".padEnd(18)}${"rows".padStart(9)}${"import s".padStart(10)}${"rows/s".padStart(8)}${"COPY s".padStart(8)}${"COPY rows/s".padStart(12)}${"× COPY".padStart(8)}  entries/no entry/review/unmatched/rejected/duplicates`,
);
for (const r of results.flatMap((e) => e.files)) {
  console.log(
    `${r.database.padEnd(11)}${r.format.padEnd(18)}${String(r.rows).padStart(9)}${String(r.importSeconds).padStart(10)}${String(r.rowsPerSecond).padStart(8)}${String(r.copySeconds).padStart(8)}${String(r.copyRowsPerSecond).padStart(12)}${(r.importSeconds / Math.max(r.copySeconds, 0.001)).toFixed(0).padStart(8)}  ${r.entries}/${r.noEntry}/${r.review}/${r.unmatched}/${r.rejected}/${r.duplicates}`,
  );
}
console.log(
  `\n${"database".padEnd(11)}${"generate s".padStart(11)}${"children".padStart(10)}${"evaluate s".padStart(11)}${"children/s".padStart(11)}${"signals".padStart(9)}`,
);
for (const r of results)
  console.log(
    `${r.database.padEnd(11)}${String(r.generateSeconds).padStart(11)}${String(r.evaluation.children).padStart(10)}${String(r.evaluation.seconds).padStart(11)}${String(r.evaluation.childrenPerSecond).padStart(11)}${String(r.evaluation.signals).padStart(9)}`,
  );
console.log(
  `Results: ${saveResults(`imports-${stamp}.json`, { stamp, children, targets, batchSize, results })}`,
);
