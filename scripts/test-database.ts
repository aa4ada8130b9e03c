// SPDX-License-Identifier: MIT
// The one migrated database a test run starts from, made by scripts/test.js before the suites:
//   image <file>  saves a migrated PGlite data folder that every PGlite test file copies into memory
//                 (HEARTH_TEST_PGLITE_IMAGE), so initdb and the migrations run once per run, not per file;
//   postgres <url>  migrates the run's shared PostgreSQL database, so files running at once find it ready.
import { writeFileSync } from "node:fs";
import { migratedPgliteImage, openDatabase } from "../src/db/database.ts";

const [kind, where] = process.argv.slice(2);
if (kind === "image" && where) writeFileSync(where, await migratedPgliteImage());
else if (kind === "postgres" && where)
  await (await openDatabase({ engine: "postgres", connectionString: where })).close();
else throw new Error("usage: node --import tsx scripts/test-database.ts image <file> | postgres <url>");
