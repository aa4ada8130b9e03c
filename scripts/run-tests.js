#!/usr/bin/env node
// Runs test files in the order given, so many at a time: `node scripts/run-tests.js <concurrency> <files…>`,
// with `--import tsx` before the script for TypeScript files. `node --test` sorts its files by name, so
// scripts/test.js's longest-first order was lost: web/hostile-input.test.ts, long and late in the alphabet,
// started near the end and ran alone while the other worker idled. run() keeps the order it is given.
import { resolve } from "node:path";
import { run } from "node:test";
import { spec, tap } from "node:test/reporters";

const [concurrency = "1", ...files] = process.argv.slice(2);
let failed = false;
const stream = run({
  files: files.map((file) => resolve(file)),
  concurrency: Number(concurrency),
  // A file may take up to 30 minutes (see scripts/test.js).
  timeout: 1_800_000,
});
stream.on("test:fail", (event) => {
  if (!event.todo && !event.skip) failed = true;
});
// As `node --test` reports: readable in a terminal, TAP in a log.
stream.compose(process.stdout.isTTY ? spec : tap).pipe(process.stdout);
process.on("exit", () => {
  if (failed) process.exitCode = 1;
});
