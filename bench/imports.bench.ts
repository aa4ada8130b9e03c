// SPDX-License-Identifier: MIT
/**
 * Agency imports at scale: the generator's school attendance and hospital appointments feeds for a
 * partnership (src/generator/feeds.ts), each imported whole through `hearth import`'s engine (read through
 * the mapping, matched, fates, entries and audit in committed batches), on PGlite and PostgreSQL, with
 * rows per second. The baseline, measured in the same run, is a bare `COPY` of the same file into a table
 * of text columns on the same engine: the import's cost above it is matching and recording.
 *
 * Scaled down from the issue's 1,000,000 attendance rows and 200,000 appointments in a 100,000-child
 * partnership to what runs in minutes on a small machine: BENCH_IMPORT_CHILDREN (1000) sizes the
 * partnership and BENCH_IMPORT_SCALE (4) multiplies the rows per child; BENCH_IMPORT_BATCH (500) is the
 * rows committed together.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HearthDatabase, openDatabase } from "../src/db/database.ts";
import { generateFeeds } from "../src/generator/feeds.ts";
import { generatePartnership } from "../src/generator/generate-partnership.ts";
import { prepareImport, processImport } from "../src/imports/engine.ts";
import { createPostgresDatabase, saveResults, settings, timestamp } from "./support.ts";

const children = Number(process.env.BENCH_IMPORT_CHILDREN ?? 1000);
const scale = Number(process.env.BENCH_IMPORT_SCALE ?? 4);
const batchSize = Number(process.env.BENCH_IMPORT_BATCH ?? 500);
const seconds = (since: number) => (performance.now() - since) / 1000;

type Copy = (file: string, columns: number) => Promise<{ rows: number; seconds?: number }>;

const benchmarkEngine = async (label: string, database: HearthDatabase, copy: Copy) => {
  console.log(`${label}: generating a partnership of ${children.toLocaleString()} children...`);
  const partnership = await generatePartnership(database, { seed: "imports-bench", children });
  const folder = await mkdtemp(join(tmpdir(), "hearth-bench-feeds-"));
  try {
    const files = await generateFeeds(database, folder, {
      partnershipId: partnership.partnershipId,
      seed: "imports-bench",
      scale,
    });
    const agencies = await database.unsafeOwnerDb
      .selectFrom("agencies")
      .select(["agency_id", "name"])
      .where("partnership_id", "=", partnership.partnershipId)
      .execute();
    const chosen = [
      files.filter((f) => f.format === "attendance").sort((a, b) => b.rows - a.rows)[0],
      files.find((f) => f.format === "appointments-csv"),
    ].flatMap((f) => (f ? [f] : []));
    const rows = [];
    for (const file of chosen) {
      const path = join(folder, file.file);
      const content = await readFile(path, "utf8");
      const agencyId = agencies.find((a) => a.name === file.agency)?.agency_id ?? "";
      let started = performance.now();
      const copy1 = await copy(path, content.split("\n", 1)[0]?.split(",").length ?? 1);
      const copySeconds = copy1.seconds ?? seconds(started);
      const copied = copy1.rows;
      started = performance.now();
      const prepared = await prepareImport(database, {
        partnershipId: partnership.partnershipId,
        agencyId,
        format: file.format,
        fileName: file.file,
        content,
        actor: null,
      });
      const summary = await processImport(database, {
        partnershipId: partnership.partnershipId,
        importId: prepared.importId,
        content,
        actor: null,
        batchSize,
      });
      const importSeconds = seconds(started);
      rows.push({
        database: label,
        format: file.format,
        rows: summary.total,
        copiedRows: copied,
        importSeconds: Math.round(importSeconds * 10) / 10,
        rowsPerSecond: Math.round(summary.total / importSeconds),
        copySeconds: Math.round(copySeconds * 100) / 100,
        copyRowsPerSecond: Math.round(copied / Math.max(copySeconds, 0.001)),
        entries: summary.counts["entry-created"],
        review: summary.counts.review,
        unmatched: summary.counts.unmatched,
        rejected: summary.counts.rejected,
        duplicates: summary.counts.duplicate,
      });
      console.log(`  ${file.format}: ${summary.total} rows in ${importSeconds.toFixed(1)} s`);
    }
    return rows;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
};

// Dropping the benchmark's PostgreSQL database ends any connection a pool still holds idle: not a failure.
process.on("uncaughtException", (error: Error & { code?: string }) => {
  if (error.code === "57P01") return;
  throw error;
});

const stamp = timestamp();
const results: Awaited<ReturnType<typeof benchmarkEngine>> = [];

// PGlite's COPY reads from a blob; a second in-memory instance keeps the baseline's table apart.
const { PGlite } = await import("@electric-sql/pglite");
const copyEngine = await PGlite.create("memory://");
const pgliteCopy: Copy = async (file, columns) => {
  const table = `copy_${Math.random().toString(36).slice(2)}`;
  await copyEngine.exec(
    `create table ${table} (${Array.from({ length: columns }, (_, i) => `c${i} text`).join(", ")})`,
  );
  await copyEngine.query(`copy ${table} from '/dev/blob' with (format csv, header true)`, [], {
    blob: new Blob([await readFile(file)]),
  });
  const { rows } = await copyEngine.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return { rows: rows[0]?.n ?? 0 };
};
const pglite = await openDatabase({ engine: "pglite", dataDir: undefined });
try {
  results.push(...(await benchmarkEngine("PGlite", pglite, pgliteCopy)));
} finally {
  await pglite.close();
  await copyEngine.close();
}

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
      ],
      { encoding: "utf8" },
    );
    const copied = Number(/COPY (\d+)/.exec(out)?.[1] ?? 0);
    const ms = Number(/Time: ([\d.]+) ms/.exec(out)?.[1] ?? 0);
    return { rows: copied, seconds: ms / 1000 };
  };
  try {
    results.push(...(await benchmarkEngine("PostgreSQL", database, postgresCopy)));
  } finally {
    await database.close();
    await server.drop();
  }
} catch (error) {
  console.log(`PostgreSQL failed or skipped: ${(error as Error).message} (${settings.postgresUrl})`);
}

console.log(
  `\n${"database".padEnd(11)}${"format".padEnd(18)}${"rows".padStart(8)}${"import s".padStart(9)}${"rows/s".padStart(8)}${"COPY s".padStart(8)}${"COPY rows/s".padStart(12)}${"× COPY".padStart(8)}  entries/review/unmatched/rejected/duplicates`,
);
for (const r of results) {
  console.log(
    `${r.database.padEnd(11)}${r.format.padEnd(18)}${String(r.rows).padStart(8)}${String(r.importSeconds).padStart(9)}${String(r.rowsPerSecond).padStart(8)}${String(r.copySeconds).padStart(8)}${String(r.copyRowsPerSecond).padStart(12)}${(r.importSeconds / Math.max(r.copySeconds, 0.001)).toFixed(0).padStart(8)}  ${r.entries}/${r.review}/${r.unmatched}/${r.rejected}/${r.duplicates}`,
  );
}
console.log(
  `Results: ${saveResults(`imports-${stamp}.json`, { stamp, children, scale, batchSize, results })}`,
);
