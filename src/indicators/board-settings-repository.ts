// SPDX-License-Identifier: MIT
/**
 * The board's settings: the authority benchmarked against, strategy names, targets and the population
 * basis, versioned and audited.
 */
import { sql } from "kysely";
import { type ChangeResult, done, type MethodAccess, refused } from "../data/repository-scope.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../kernel/sql.ts";
import {
  type BoardSettings,
  type PopulationBasis,
  readBoardSettings,
  type Target,
  ZBoardSettingsBody,
} from "./board-settings.ts";
import { IndicatorsAreaRepository, mayChangeBoardSettings } from "./indicators-context.ts";
import { indicatorById } from "./registry.ts";

export class BoardSettingsRepository extends IndicatorsAreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof BoardSettingsRepository, MethodAccess> = {
    boardSettings: "guarded",
    saveBoardSettings: "guarded",
  };

  /**
   * The board's settings in force, every saved version (newest first), the authorities DfE publishes
   * for, and the indicators targets may be set for. Administrators, analysts and safeguarding leads.
   */
  boardSettings() {
    const ctx = this.ctx;
    if (!ctx || !mayChangeBoardSettings(ctx.role)) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const current = await readBoardSettings(trx);
      const versions = await trx
        .selectFrom("board_settings_versions as v")
        .innerJoin("users as u", (j) => onKey(j, "u.user_id", "v.changed_by"))
        .select([
          "v.version",
          "v.authority_code",
          "v.population_basis",
          "v.reason",
          "v.changed_at",
          "u.display_name as changed_by_name",
        ])
        .where(inCurrentPartnership("v.partnership_id"))
        .orderBy("v.version", "desc")
        .execute();
      const authorities = await trx
        .selectFrom("benchmark_areas")
        .select(["area_code", "name"])
        .where("geographic_level", "=", "Local authority")
        .orderBy("name")
        .execute();
      return { current, versions, authorities };
    });
  }

  /**
   * Saves a new version of the board's settings, audited with what changed and why.
   * @param input - The authority code, population basis, strategy names and targets.
   * @param reason - Why (kept with the version and in the audit row).
   */
  saveBoardSettings(
    input: {
      authorityCode: string;
      populationBasis: PopulationBasis;
      strategyNames: Record<string, string>;
      targets: Record<string, Target>;
    },
    reason: string,
  ): Promise<ChangeResult<{ version: number }>> {
    const ctx = this.ctx;
    if (!ctx || !mayChangeBoardSettings(ctx.role))
      return Promise.resolve(
        refused("Only administrators, analysts and safeguarding leads can change the board's settings"),
      );
    if (reason.trim() === "")
      return Promise.resolve(refused("Enter why the settings are changing", "reason"));
    if (!/^[0-9]{3}$/.test(input.authorityCode))
      return Promise.resolve(refused("Enter the authority's 3-digit DfE code, for example 852", "authority"));
    for (const id of Object.keys(input.targets))
      if (!indicatorById(id)) return Promise.resolve(refused(`Unknown indicator ${id}`, "targets"));
    const body = ZBoardSettingsBody.safeParse({ strategyNames: input.strategyNames, targets: input.targets });
    if (!body.success) return Promise.resolve(refused("Check the strategy names and targets", "settings"));
    return this.scope.run(async (trx) => {
      const known = await trx
        .selectFrom("benchmark_areas")
        .select(["area_code"])
        .where("geographic_level", "=", "Local authority")
        .execute();
      if (known.length > 0 && !known.some((a) => a.area_code === input.authorityCode))
        return refused(
          `${input.authorityCode} is not a local authority code in the published DfE files`,
          "authority",
        );
      const before: BoardSettings = await readBoardSettings(trx);
      await sql`select pg_advisory_xact_lock(hashtext('board-settings:' || ${ctx.partnershipId}))`.execute(
        trx,
      );
      const last = await trx
        .selectFrom("board_settings_versions")
        .select(sql<number>`coalesce(max(version), 0)`.as("version"))
        .where(sql.ref("partnership_id"), "=", currentPartnership)
        .executeTakeFirstOrThrow();
      const version = Number(last.version) + 1;
      await trx
        .insertInto("board_settings_versions")
        .values({
          partnership_id: ctx.partnershipId,
          version,
          authority_code: input.authorityCode,
          population_basis: input.populationBasis,
          settings: JSON.stringify(body.data),
          reason: reason.trim(),
          changed_by: ctx.userId,
        })
        .execute();
      const changed: Record<string, [unknown, unknown]> = {};
      if (before.authorityCode !== input.authorityCode)
        changed.authority = [before.authorityCode, input.authorityCode];
      if (before.populationBasis !== input.populationBasis)
        changed.population = [before.populationBasis, input.populationBasis];
      for (const [seed, name] of Object.entries(body.data.strategyNames))
        if (before.strategyNames[seed as keyof typeof before.strategyNames] !== name)
          changed[`strategy.${seed}`] = [
            before.strategyNames[seed as keyof typeof before.strategyNames],
            name,
          ];
      for (const id of new Set([...Object.keys(before.targets), ...Object.keys(body.data.targets)]))
        if (JSON.stringify(before.targets[id] ?? null) !== JSON.stringify(body.data.targets[id] ?? null))
          changed[`target.${id}`] = [before.targets[id] ?? null, body.data.targets[id] ?? null];
      await this.scope.audit(trx, {
        action: "change",
        recordType: "board-settings",
        recordId: ctx.partnershipId,
        reason: reason.trim(),
        details: { version, ...changed },
      });
      return done({ version });
    });
  }
}
