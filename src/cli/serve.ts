// SPDX-License-Identifier: MIT
/**
 * `hearth serve`: open the database and listen. Only with `--demo` (which `npm start` passes) is the
 * synthetic demo partnership loaded into an empty database, so a production start never gets demo
 * accounts with a published password. The demo also imports the agencies' generated feed files through
 * the normal import path, so it shows imports, weak matches waiting for review, rejects and signals.
 */
import { fileURLToPath } from "node:url";
import { readConfig } from "../config/config.ts";
import { openDatabase } from "../db/database.ts";
import { unsafeKeepStatisticsFresh } from "../db/statistics.ts";
import { importBenchmarks } from "../indicators/benchmarks-import.ts";
import { gracefulShutdown } from "../ops/shutdown.ts";
import { buildApp } from "../web/app.ts";
import { generateWithProgress, printSignIns } from "./generate.ts";
import { makeReminders, printReminders } from "./reminders.ts";

const REFERENCE_DFE_DATA = fileURLToPath(new URL("../../reference-data/dfe", import.meta.url));

export const serve = async (options: { demo: boolean }) => {
  const config = readConfig();
  const database = await openDatabase(config.database);
  const existing = await database.unsafeOwnerDb
    .selectFrom("partnerships")
    .select("partnership_id")
    .limit(1)
    .execute();
  if (options.demo && existing.length === 0) {
    console.log("Empty database and --demo: loading the demo partnership. Everything in it is synthetic.");
    printSignIns(
      await generateWithProgress(database, {
        seed: "demo",
        children: 500,
        feeds: true,
        name: "Southampton Safeguarding Children Partnership (Hearth demo: synthetic data)",
      }),
    );
    // The published DfE figures the dashboard benchmarks against, kept in the repository.
    const summary = await importBenchmarks(database.unsafeOwnerDb, REFERENCE_DFE_DATA);
    console.log(`Benchmarks: ${summary.valueRows} published DfE figures loaded from reference-data/dfe.`);
    console.log("A demo partnership was loaded: its children, families and accounts are synthetic.");
  } else if (options.demo) {
    console.log(
      "--demo: the database is not empty, so no demo was loaded. If it holds the demo partnership (synthetic data), sign in as administrator@demo.hearth.example or another role @demo.hearth.example; see the README.",
    );
  } else if (existing.length === 0) {
    console.log(
      "The database is empty. Run `hearth serve --demo` (what `npm start` does) for a synthetic demo partnership.",
    );
  }
  // The demo has no scheduler running `hearth reminders` daily: it makes them as it starts.
  if (options.demo) printReminders(await makeReminders(database));
  const app = await buildApp({ config, database });
  const stopAnalyzing = unsafeKeepStatisticsFresh(database, (problem) =>
    app.log.error({ err: problem }, "refreshing the embedded database's statistics failed"),
  );
  const shutdown = gracefulShutdown(app, database, (code) => {
    stopAnalyzing();
    process.exit(code);
  });
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  await app.listen({ port: config.port, host: config.host });
  console.log(
    `Hearth is running at ${config.baseUrl}, listening on ${config.host}:${config.port} (${config.database.engine === "pglite" ? `embedded database in ${config.database.dataDir}` : "PostgreSQL"})`,
  );
};
