#!/usr/bin/env node
// Runs every test: unit and integration suites on PGlite and again on a fresh PostgreSQL database, then
// the browser suite in Chromium. In CI (CI=true) a missing PostgreSQL or Chromium fails the run; on a
// developer's machine it is reported and skipped.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

const ci = process.env.CI === "true";
const adminUrl = process.env.HEARTH_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const chromium = process.env.HEARTH_CHROMIUM ?? "/usr/bin/chromium";
const only = process.argv[2]; // "pglite", "postgres" or "browser" to run one part
const failures = [];

// A file may take up to 30 minutes: the hostile-input crawl posts every form as every demo user, and on a
// loaded 2-core machine it has taken over 10. scripts/run-tests.js runs the files in the order given.
const run = (label, files, env = {}, concurrency = 1) => {
  console.log(`\n=== ${label} ===`);
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", "scripts/run-tests.js", String(concurrency), ...files],
    {
      stdio: "inherit",
      env: { ...process.env, ...env },
    },
  );
  if (result.status !== 0) failures.push(label);
};

// Node 20's test runner does not expand globs, so the script lists the test files itself.
const testFilesUnder = (dir) =>
  readdirSync(dir, { recursive: true })
    .filter((file) => String(file).endsWith(".test.ts"))
    .map((file) => join(dir, String(file)))
    .sort();

// Two files run at once, in this order: the longest start first, so neither worker idles at the end
// while the other finishes one long file alone (on PGlite, 5 December: 156, 52, 39, 31, 29 and 28 s).
const LONGEST_FIRST = [
  "src/web/hostile-input.test.ts",
  "src/audit/audit-verify.test.ts",
  "src/web/denials.test.ts",
  "src/ops/kill-writes.test.ts",
  "src/imports/import-crash.test.ts",
  "src/web/layout.test.ts",
];
const rank = (file) => (LONGEST_FIRST.includes(file) ? LONGEST_FIRST.indexOf(file) : LONGEST_FIRST.length);
const unitFiles = testFilesUnder("src").sort((a, b) => rank(a) - rank(b));

/** Runs scripts/test-database.ts with the arguments; true when it succeeded. */
const prepare = (args) =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/test-database.ts", ...args], { stdio: "inherit" })
    .status === 0;

// initdb and the migrations run once: every PGlite test file starts from a copy of this migrated image.
const imageDir = mkdtempSync(join(tmpdir(), "hearth-test-image-"));
const pgliteImage = join(imageDir, "migrated.tar");
const needsImage = !only || only === "pglite" || only === "browser";
if (needsImage) {
  if (!prepare(["image", pgliteImage])) failures.push("the migrated PGlite image");
}
const pgliteEnv = { HEARTH_TEST_DATABASE_URL: "", HEARTH_TEST_PGLITE_IMAGE: pgliteImage };

// Each PGlite file is its own process with its own in-memory database, so two run at once (two cores).
if (!only || only === "pglite") run("unit and integration tests on PGlite", unitFiles, pgliteEnv, 2);

if (!only || only === "postgres") {
  const name = `hearth_test_${Date.now()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  let connected = false;
  try {
    await admin.connect();
    connected = true;
    await admin.query(`create database ${name}`);
  } catch (error) {
    const message = `PostgreSQL at ${adminUrl} is not available (${error.message})`;
    if (ci) failures.push(message);
    else console.log(`\n=== skipped: integration tests on PostgreSQL: ${message} ===`);
  }
  if (connected && !failures.some((f) => f.startsWith("PostgreSQL"))) {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    // Migrated once up front, the shared database takes two files at once: each suite has its own partnership.
    if (prepare(["postgres", url.toString()]))
      run(
        "unit and integration tests on PostgreSQL",
        unitFiles,
        { HEARTH_TEST_DATABASE_URL: url.toString() },
        2,
      );
    else failures.push("migrating the PostgreSQL test database");
    // Every suite's partnerships share this database: their audit chains must still verify afterwards.
    console.log("\n=== hearth audit verify after the PostgreSQL suite ===");
    const verify = spawnSync(process.execPath, ["bin/hearth.js", "audit", "verify"], {
      stdio: "inherit",
      env: { ...process.env, DATABASE_URL: url.toString() },
    });
    if (verify.status !== 0) failures.push("hearth audit verify after the PostgreSQL suite");
    await admin.query(`drop database if exists ${name} with (force)`).catch(() => {});
  }
  if (connected) await admin.end();
}

if (!only || only === "browser") {
  if (existsSync(chromium))
    run("browser tests in Chromium", testFilesUnder("test/browser"), {
      ...pgliteEnv,
      HEARTH_CHROMIUM: chromium,
    });
  else if (ci) failures.push(`Chromium not found at ${chromium}`);
  else
    console.log(
      `\n=== skipped: browser tests: Chromium not found at ${chromium} (apt-get install chromium) ===`,
    );
}

rmSync(imageDir, { recursive: true, force: true });

if (failures.length > 0) {
  console.log(`\nFailed: ${failures.join("; ")}`);
  process.exit(1);
}
console.log("\nAll test suites passed.");
