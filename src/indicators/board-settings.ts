// SPDX-License-Identifier: MIT
/**
 * The board's settings (migration 0022): the local authority the partnership is benchmarked as, the
 * names of its strategies, the child population rates are computed against, and each indicator's
 * reporting target with the tolerance that makes it amber rather than red. Kept as versions: the one
 * reader takes the latest; with none saved, the partnership's first authority code, the ONS estimate
 * and the strategies' neutral names stand. Pure rules (the RAG rating, the population count) are plain
 * functions, tested on their own.
 */
import { sql } from "kysely";
import { z } from "zod";
import type { Trx } from "../data/repository-scope.ts";
import { currentPartnership } from "../kernel/sql.ts";
import { ageOn, type ChildModel } from "./model.ts";
import { type Indicator, SEED_NAMES, type Seed } from "./registry.ts";

export const POPULATION_BASIS_CODES = ["ons", "recorded"] as const;
export type PopulationBasis = (typeof POPULATION_BASIS_CODES)[number];

export const POPULATION_BASIS_LABELS: Record<PopulationBasis, string> = {
  ons: "Children aged 0 to 17 living in the authority (ONS mid-year estimate, as DfE publishes rates)",
  recorded:
    "Children aged 0 to 17 recorded in Hearth (for a synthetic demo, whose children are a sample, not the whole area)",
};

export const ZTarget = z.object({
  /** The figure the board aims for, in the indicator's unit. */
  target: z.number().finite().min(0).max(1_000_000),
  /** How far on the wrong side of the target is still amber; beyond it is red. */
  tolerance: z.number().finite().min(0).max(1_000_000),
});
export type Target = z.infer<typeof ZTarget>;

export const ZBoardSettingsBody = z.object({
  strategyNames: z.record(z.string(), z.string().trim().min(1).max(200)),
  targets: z.record(z.string(), ZTarget),
});

export type BoardSettings = {
  authorityCode: string | null;
  populationBasis: PopulationBasis;
  strategyNames: Record<Seed, string>;
  targets: Record<string, Target>;
  /** The saved version in force; 0 when none is saved. */
  version: number;
};

/** The settings in force from the latest saved version (validated), or the defaults. Pure. */
export const boardSettingsInForce = (
  defaultAuthority: string | null,
  saved:
    | { version: number; authority_code: string; population_basis: PopulationBasis; settings: unknown }
    | undefined,
): BoardSettings => {
  const body = ZBoardSettingsBody.safeParse(
    typeof saved?.settings === "string" ? JSON.parse(saved.settings) : saved?.settings,
  );
  const names = { ...SEED_NAMES };
  if (body.success)
    for (const seed of Object.keys(SEED_NAMES) as Seed[]) {
      const name = body.data.strategyNames[seed];
      if (name) names[seed] = name;
    }
  return {
    authorityCode: saved?.authority_code ?? defaultAuthority,
    populationBasis: saved?.population_basis ?? "ons",
    strategyNames: names,
    targets: body.success ? body.data.targets : {},
    version: saved?.version ?? 0,
  };
};

/** The one reader, inside the caller's transaction (partnership already scoped). */
export const readBoardSettings = async (trx: Trx): Promise<BoardSettings> => {
  const latest = await trx
    .selectFrom("board_settings_versions")
    .select(["version", "authority_code", "population_basis", "settings"])
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .orderBy("version", "desc")
    .limit(1)
    .executeTakeFirst();
  const partnership = await trx
    .selectFrom("partnerships")
    .select("local_authority_codes")
    .where(sql.ref("partnership_id"), "=", currentPartnership)
    .executeTakeFirst();
  return boardSettingsInForce(partnership?.local_authority_codes?.[0] ?? null, latest);
};

export type Rag = "green" | "amber" | "red";
export const RAG_LABELS: Record<Rag, string> = { green: "Green", amber: "Amber", red: "Red" };

/**
 * Red, amber or green against a target. Where higher is better, at or above the target is green and
 * within the tolerance below it amber; where lower is better, the mirror; where neither is better, within
 * the tolerance either side is green and within twice it amber.
 * @returns The rating, or null with no value or no target.
 */
export const ragOf = (
  indicator: Pick<Indicator, "higherIsBetter">,
  value: number | null,
  target: Target | undefined,
): Rag | null => {
  if (value === null || !target) return null;
  const gap =
    indicator.higherIsBetter === true
      ? target.target - value
      : indicator.higherIsBetter === false
        ? value - target.target
        : Math.abs(value - target.target) - target.tolerance;
  if (gap <= 0) return "green";
  return gap <= target.tolerance ? "amber" : "red";
};

/** Children aged 0 to 17 on a day among those recorded (the demo's own population). Pure. */
export const recordedPopulation = (children: readonly ChildModel[], on: string): number => {
  let n = 0;
  for (const child of children) {
    const age = ageOn(child, on);
    if (age !== null && age < 18) n += 1;
  }
  return n;
};
