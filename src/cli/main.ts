// SPDX-License-Identifier: MIT
/** `npx hearth ...`: start the service and run administrative tasks against the configured database. */
import { Command } from "commander";
import { benchmarksAuthorityCommand, benchmarksImportCommand } from "../indicators/cli.ts";
import { auditVerifyCommand } from "./audit-verify.ts";
import { annexACommand, cinExportCommand, cinImportCommand } from "./cin.ts";
import { generateCommand } from "./generate.ts";
import { remindersCommand } from "./reminders.ts";
import { serve } from "./serve.ts";
import { DEMO_ADMINISTRATOR_EMAIL, totpCodeCommand } from "./totp-code.ts";

const program = new Command()
  .name("hearth")
  .description("Hearth: multi-agency recognition of and response to child neglect")
  .showHelpAfterError();

program
  .command("serve")
  .description("start the web service")
  .option("--demo", "load the synthetic demo partnership into an empty database", false)
  .action((options: { demo: boolean }) => serve({ demo: options.demo }));

program
  .command("generate")
  .description("add a synthetic partnership, deterministic from a seed")
  .option("--seed <text>", "random seed", "demo")
  .option("--children <n>", "children the partnership serves (sizes agencies, teams and users)", "500")
  .option("--name <text>", "partnership name")
  .option("--years <n>", "years of children's social care history up to the reference date (1 to 18)", "6")
  .action(generateCommand);

const audit = program.command("audit").description("the hash-chained audit log");
audit
  .command("verify")
  .description("check every partnership's audit chain for altered, removed or reordered rows")
  .action(auditVerifyCommand);

const cin = program.command("cin").description("the Children in Need census return and Ofsted Annex A");
cin
  .command("export")
  .description("write the census year's XML, validated against Hearth's XSD and the DfE rules")
  .requiredOption("--year <year>", "census year ending 31 March, e.g. 2025")
  .option("--partnership <id>", "partnership id (needed when there are several)")
  .option("--out <file>", "output file (default cin-census-YEAR.xml)")
  .option("--allow-errors", "write the file even when the data breaks DfE's error rules")
  .action(cinExportCommand);
cin
  .command("import <file>")
  .description("load a census return into events; a bad file is refused whole")
  .option("--partnership <id>", "partnership id (needed when there are several)")
  .option("--dry-run", "validate the file only; load nothing")
  .action(cinImportCommand);
cin
  .command("annex-a")
  .description("write Ofsted Annex A lists 1 to 7 to an XLSX workbook")
  .option("--date <date>", "the inspection date (default today)")
  .option("--partnership <id>", "partnership id (needed when there are several)")
  .option("--out <file>", "output file (default annex-a-DATE.xlsx)")
  .action(annexACommand);

const benchmarks = program
  .command("benchmarks")
  .description("published DfE figures the indicators are benchmarked against");
benchmarks
  .command("import <folder>")
  .description("load the DfE children-in-need files (suppressed cells stay unknown)")
  .action(benchmarksImportCommand);
benchmarks
  .command("authority <codes...>")
  .description("set the DfE authority codes (e.g. 852) the partnership is benchmarked as")
  .option("--partnership <id>", "partnership id (needed when there are several)")
  .action(benchmarksAuthorityCommand);

program
  .command("reminders")
  .description("make plan review due reminders for every worker (idempotent; run daily)")
  .action(remindersCommand);

program
  .command("totp-code")
  .description("print an account's current second-factor code, from its stored secret (for the demo)")
  .option("--email <address>", "the account", DEMO_ADMINISTRATOR_EMAIL)
  .action(totpCodeCommand);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Operators need the reason, not a stack trace.
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
