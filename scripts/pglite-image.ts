// SPDX-License-Identifier: MIT
// Saves a migrated PGlite data folder to the path given, for scripts/test.js to hand to every test file
// (HEARTH_TEST_PGLITE_IMAGE): initdb and the migrations then run once per test run, not once per file.
import { writeFileSync } from "node:fs";
import { migratedPgliteImage } from "../src/db/database.ts";

const path = process.argv[2];
if (!path) throw new Error("usage: node --import tsx scripts/pglite-image.ts <image file>");
writeFileSync(path, await migratedPgliteImage());
