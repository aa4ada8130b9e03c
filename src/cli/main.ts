// SPDX-License-Identifier: MIT
/** `npx hearth ...`: start the service and run administrative tasks against the configured database. */
import { Command } from "commander";
import { auditVerifyCommand } from "./audit-verify.ts";
import { generateCommand } from "./generate.ts";
import { serve } from "./serve.ts";
import { totpCodeCommand } from "./totp-code.ts";

const program = new Command()
  .name("hearth")
  .description("Hearth: multi-agency recognition of and response to child neglect")
  .showHelpAfterError();

program
  .command("serve")
  .description("start the web service (loads the demo partnership into an empty database)")
  .option("--no-demo", "do not load the demo partnership into an empty database")
  .action((options: { demo: boolean }) => serve({ demo: options.demo }));

program
  .command("generate")
  .description("add a synthetic partnership, deterministic from a seed")
  .option("--seed <text>", "random seed", "demo")
  .option("--children <n>", "children the partnership serves (sizes agencies, teams and users)", "500")
  .option("--name <text>", "partnership name")
  .action(generateCommand);

const audit = program.command("audit").description("the hash-chained audit log");
audit
  .command("verify")
  .description("check every partnership's audit chain for altered, removed or reordered rows")
  .action(auditVerifyCommand);

program
  .command("totp-code")
  .description("print the current second-factor code of the generated demo administrator")
  .option("--seed <text>", "the seed the partnership was generated from", "demo")
  .action(totpCodeCommand);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Operators need the reason, not a stack trace.
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
