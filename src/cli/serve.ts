// SPDX-License-Identifier: MIT
/** `hearth serve` (`npm start`): open the database, load the demo partnership if it is empty, listen. */
import { fileURLToPath } from "node:url";
import { readConfig } from "../config/config.ts";
import { openDatabase } from "../db/database.ts";
import { importBenchmarks } from "../indicators/benchmarks-import.ts";
import { buildApp } from "../web/app.ts";
import { generateWithProgress, printSignIns } from "./generate.ts";

const REFERENCE_DFE_DATA = fileURLToPath(new URL("../../reference-data/dfe", import.meta.url));

export const serve = async (options: { demo: boolean }) => {
  const config = readConfig();
  const database = await openDatabase(config.database);
  const existing = await database.unsafeOwnerDb
    .selectFrom("partnerships")
    .select("partnership_id")
    .limit(1)
    .execute();
  if (existing.length === 0 && options.demo) {
    console.log("Empty database: loading the synthetic demo partnership.");
    printSignIns(await generateWithProgress(database, { seed: "demo", children: 500 }), "demo");
    // The published DfE figures the dashboard benchmarks against, kept in the repository.
    const summary = await importBenchmarks(database.unsafeOwnerDb, REFERENCE_DFE_DATA);
    console.log(`Benchmarks: ${summary.valueRows} published DfE figures loaded from reference-data/dfe.`);
  } else if (existing.length > 0) {
    console.log(
      "Demo sign-ins, if this database holds the demo partnership: administrator@demo.hearth.example and the other roles @demo.hearth.example; see the README.",
    );
  }
  const app = await buildApp({ config, database });
  const shutdown = async () => {
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  await app.listen({ port: config.port, host: config.host });
  console.log(
    `Hearth is running at http://localhost:${config.port} (${config.database.engine === "pglite" ? `embedded database in ${config.database.dataDir}` : "PostgreSQL"})`,
  );
};
