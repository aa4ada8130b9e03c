// SPDX-License-Identifier: MIT
/**
 * `npx hearth ...`: start the service and run administrative tasks against the configured database.
 * Each command imports its module when it runs, so `--help` or a small command loads only what it needs
 * (the web app, the generator and the census code take seconds to load).
 */
import { Command } from "commander";

/** The demo administrator's email address (kept here too so `totp-code --help` loads nothing). */
const DEMO_ADMINISTRATOR_EMAIL = "administrator@demo.hearth.example";

const program = new Command()
  .name("hearth")
  .description("Hearth: multi-agency recognition of and response to child neglect")
  .showHelpAfterError();

program
  .command("version")
  .description("print Hearth's version and Node's")
  .action(async () => (await import("./version.ts")).versionCommand());

program
  .command("serve")
  .description("start the web service")
  .option("--demo", "load the synthetic demo partnership into an empty database", false)
  .action(async (options: { demo: boolean }) => (await import("./serve.ts")).serve({ demo: options.demo }));

const generate = program
  .command("generate")
  .description("add a synthetic partnership, deterministic from a seed")
  .option("--seed <text>", "random seed", "demo")
  .option("--children <n>", "children the partnership serves (sizes agencies, teams and users)", "500")
  .option("--name <text>", "partnership name")
  .option("--years <n>", "years of children's social care history up to the reference date (1 to 18)", "6")
  .action(async (options) => (await import("./generate.ts")).generateCommand(options));
generate
  .command("feeds <folder>")
  .description(
    "write agencies' feed files (attendance, FHIR and CSV appointments, police, A&E) for a generated partnership, with realistic noise",
  )
  .option("--seed <text>", "the partnership's seed (the feeds are deterministic from it)", "demo")
  .option("--partnership <id>", "partnership id or name (needed when there are several)")
  .option("--reference-date <date>", "the day the feeds run up to (default the generator's reference date)")
  .option("--scale <n>", "rows per child multiplied by this (for benchmarks)", "1")
  .action(async (folder: string, options) =>
    (await import("./generate.ts")).generateFeedsCommand(folder, options),
  );

const partnership = program.command("partnership").description("partnerships (one per local authority)");
partnership
  .command("create")
  .description("make an empty partnership and invite its first administrator (prints the invite link)")
  .requiredOption(
    "--name <text>",
    "the partnership's name, e.g. Southampton Safeguarding Children Partnership",
  )
  .requiredOption("--la-code <code>", "the local authority's three-digit DfE code, e.g. 852")
  .requiredOption("--admin-email <address>", "the first administrator's email address")
  .option("--admin-name <text>", "the first administrator's name", "Administrator")
  .option("--agency-name <text>", "the agency the administrator belongs to", "Children's Social Care")
  .action(async (options) => (await import("./partnership.ts")).partnershipCreateCommand(options));

const audit = program.command("audit").description("the hash-chained audit log");
audit
  .command("verify")
  .description("check every partnership's audit chain for altered, removed or reordered rows")
  .action(async () => (await import("./audit-verify.ts")).auditVerifyCommand());

const cin = program.command("cin").description("the Children in Need census return and Ofsted Annex A");
cin
  .command("export")
  .description("write the census year's XML, validated against Hearth's XSD and the DfE rules")
  .requiredOption("--year <year>", "census year ending 31 March, e.g. 2025")
  .option("--partnership <id>", "partnership id (needed when there are several)")
  .option("--out <file>", "output file (default cin-census-YEAR.xml)")
  .option("--allow-errors", "write the file even when the data breaks DfE's error rules")
  .action(async (options) => (await import("./cin.ts")).cinExportCommand(options));
cin
  .command("import <file>")
  .description("load a census return into events; a bad file is refused whole")
  .option("--partnership <id>", "partnership id (needed when there are several)")
  .option("--dry-run", "validate the file only; load nothing")
  .action(async (file: string, options) => (await import("./cin.ts")).cinImportCommand(file, options));
cin
  .command("annex-a")
  .description("write Ofsted Annex A lists 1 to 7 to an XLSX workbook")
  .option("--date <date>", "the inspection date (default today)")
  .option("--partnership <id>", "partnership id (needed when there are several)")
  .option("--out <file>", "output file (default annex-a-DATE.xlsx)")
  .action(async (options) => (await import("./cin.ts")).annexACommand(options));

const benchmarks = program
  .command("benchmarks")
  .description("published DfE figures the indicators are benchmarked against");
benchmarks
  .command("import <folder>")
  .description("load the DfE children-in-need files (suppressed cells stay unknown)")
  .action(async (folder: string) => (await import("../indicators/cli.ts")).benchmarksImportCommand(folder));
benchmarks
  .command("authority <codes...>")
  .description("set the DfE authority codes (e.g. 852) the partnership is benchmarked as")
  .option("--partnership <id>", "partnership id (needed when there are several)")
  .action(async (codes: string[], options) =>
    (await import("../indicators/cli.ts")).benchmarksAuthorityCommand(codes, options),
  );

program
  .command("import <format> <file>")
  .description(
    "import an agency's file (attendance, appointments-fhir, appointments-csv, police, ae-attendances) into the chronology; resumes an unfinished run of the same file",
  )
  .requiredOption(
    "--agency <agency>",
    "the agency whose file it is: its code (e.g. community-health-nhs-trust), name or id",
  )
  .option("--partnership <id>", "partnership id or name (needed when there are several)")
  .option("--rejects <file>", "where to write the rows not imported (default FILE.rejects.csv)")
  .option("--batch-size <n>", "rows committed together (a killed run resumes from the last batch)", "500")
  .option("--progress-lines", "print progress as lines on stdout (for scripts)")
  .action(async (format: string, file: string, options) =>
    (await import("./import.ts")).importCommand(format, file, options),
  );

const mapping = program
  .command("mapping")
  .description("an agency's saved mapping of a file format's columns to Hearth's fields (versioned)");
mapping
  .command("show <format>")
  .description("print the agency's current mapping for a format")
  .requiredOption("--agency <agency>", "the agency: its code, name or id")
  .option("--partnership <id>", "partnership id or name (needed when there are several)")
  .action(async (format: string, options) =>
    (await import("./import.ts")).mappingCommand("show", format, undefined, options),
  );
mapping
  .command("save <format> <file>")
  .description("save a new version of the agency's mapping from a JSON file ({ columns, values })")
  .requiredOption("--agency <agency>", "the agency: its code, name or id")
  .requiredOption("--reason <text>", "why the mapping changes")
  .option("--partnership <id>", "partnership id or name (needed when there are several)")
  .action(async (format: string, file: string, options) =>
    (await import("./import.ts")).mappingCommand("save", format, file, options),
  );

program
  .command("reminders")
  .description(
    "make plan review due reminders for every worker, and tell safeguarding leads of this month's retention review list (idempotent; run daily)",
  )
  .action(async () => (await import("./reminders.ts")).remindersCommand());

program
  .command("signals")
  .description("signals of possible neglect")
  .command("evaluate")
  .description("run every signal rule for every child (idempotent: a second run adds nothing)")
  .action(async () => (await import("../signals/cli.ts")).signalsEvaluateCommand());

program
  .command("doctor")
  .description(
    "check the configuration, the database, its migrations and the audit chain's head (changes nothing)",
  )
  .action(async () => (await import("./doctor.ts")).doctorCommand());

program
  .command("backup <file>")
  .description("copy the embedded database into one file, consistently (refused while Hearth runs on it)")
  .action(async (file: string) => (await import("./backup.ts")).backupCommand(file));

program
  .command("restore <file>")
  .description("restore a backup into an empty data folder and verify its audit chain")
  .action(async (file: string) => (await import("./backup.ts")).restoreCommand(file));

program
  .command("totp-code")
  .description("print an account's current second-factor code, from its stored secret (for the demo)")
  .option("--email <address>", "the account", DEMO_ADMINISTRATOR_EMAIL)
  .action(async (options) => (await import("./totp-code.ts")).totpCodeCommand(options));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Operators need the reason, not a stack trace.
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
