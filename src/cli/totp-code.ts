// SPDX-License-Identifier: MIT
/**
 * `hearth totp-code`: the generated demo administrator's current code, so the demo needs no phone. It is
 * derived from the generator's seed, never read from the database, so it works only for generated data.
 */
import { currentTotpCode } from "../auth/totp.ts";
import { demoAdministratorTotpSecret } from "../generator/generate-partnership.ts";

export const totpCodeCommand = (options: { seed: string }) => {
  console.log(currentTotpCode(demoAdministratorTotpSecret(options.seed)));
};
