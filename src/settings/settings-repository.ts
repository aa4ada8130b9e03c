// SPDX-License-Identifier: MIT
/**
 * The partnership's settings page: administrators and safeguarding leads read the settings in force with
 * every earlier version, and save a new version with a reason. Nothing is overwritten: each save is a new
 * row, audited in the same transaction with the change (before and after) and the reason.
 */
import { sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import {
  type ChangeResult,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
} from "../data/repository-scope.ts";
import { can } from "../kernel/policy.ts";
import { inCurrentPartnership, onKey } from "../kernel/sql.ts";
import { type PathwaySettings, readPathwaySettings, ZPathwaySettings } from "./pathway-settings.ts";

/** Who may change the partnership's settings: the people who own its threshold document and protocols. */
export const mayChangeSettings = (ctx: AccessContext | undefined): ctx is AccessContext =>
  ctx !== undefined && can(ctx.role, "settings.manage");

/** What changed between two versions, as `{ field: [before, after] }`, for the audit row. */
const changes = (before: PathwaySettings, after: PathwaySettings): Record<string, [unknown, unknown]> => {
  const out: Record<string, [unknown, unknown]> = {};
  for (const level of after.levels) {
    const old = before.levels.find((l) => l.code === level.code);
    for (const key of ["name", "description", "pathway"] as const)
      if (old?.[key] !== level[key]) out[`levels.${level.code}.${key}`] = [old?.[key] ?? null, level[key]];
  }
  const a = after.timescales;
  const b = before.timescales;
  for (const key of Object.keys(a) as (keyof typeof a)[]) {
    if (key === "escalationWorkingDays") {
      for (const stage of Object.keys(a.escalationWorkingDays) as (keyof typeof a.escalationWorkingDays)[])
        if (a.escalationWorkingDays[stage] !== b.escalationWorkingDays[stage])
          out[`escalationWorkingDays.${stage}`] = [
            b.escalationWorkingDays[stage],
            a.escalationWorkingDays[stage],
          ];
    } else if (a[key] !== b[key]) out[key] = [b[key], a[key]];
  }
  return out;
};

export class SettingsRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof SettingsRepository, never>, MethodAccess> = {
    pathwaySettings: "guarded",
    settingsPage: "guarded",
    savePathwaySettings: "guarded",
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  /** The settings in force, for anyone signed in (they shape the forms and alerts everyone sees). */
  pathwaySettings(): Promise<PathwaySettings | undefined> {
    if (!this.#scope.context) return Promise.resolve(undefined);
    return this.#scope.run((trx) => readPathwaySettings(trx));
  }

  /** The settings in force and every saved version (newest first) with who, when and why. Audited. */
  settingsPage() {
    const ctx = this.#scope.context;
    if (!mayChangeSettings(ctx)) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const current = await readPathwaySettings(trx);
      const versions = await trx
        .selectFrom("partnership_settings_versions as v")
        .innerJoin("users as u", (j) => onKey(j, "u.user_id", "v.changed_by"))
        .select(["v.version", "v.reason", "v.changed_at", "v.settings", "u.display_name as changed_by_name"])
        .where(inCurrentPartnership("v.partnership_id"))
        .orderBy("v.version", "desc")
        .execute();
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "partnership-settings",
        recordId: ctx.partnershipId,
        details: { versions: versions.length },
      });
      return { current, versions };
    });
  }

  /**
   * Saves a new version of the settings. The level codes stay those in force; only their wording changes.
   * @param settings - The whole settings, as the form sends them.
   * @param reason - Why (kept with the version and in the audit row).
   */
  savePathwaySettings(settings: PathwaySettings, reason: string): Promise<ChangeResult<{ version: number }>> {
    const ctx = this.#scope.context;
    if (!mayChangeSettings(ctx))
      return Promise.resolve(refused("Only administrators and safeguarding leads can change settings"));
    if (reason.trim() === "")
      return Promise.resolve(refused("Enter why the settings are changing", "reason"));
    const parsed = ZPathwaySettings.safeParse(settings);
    if (!parsed.success) return Promise.resolve(refused("Check the settings", "settings"));
    return this.#scope.run(async (trx) => {
      const before = await readPathwaySettings(trx);
      const codes = before.levels.map((l) => l.code);
      if (parsed.data.levels.map((l) => l.code).join() !== codes.join())
        return refused("The levels of need have changed since the page was opened; open it again", "levels");
      // Serialise saves within the partnership so two at once cannot take the same version number.
      await sql`select pg_advisory_xact_lock(hashtext('settings:' || ${ctx.partnershipId}))`.execute(trx);
      const last = await trx
        .selectFrom("partnership_settings_versions as v")
        .select(sql<number>`coalesce(max(v.version), 0)`.as("version"))
        .where(inCurrentPartnership("v.partnership_id"))
        .executeTakeFirstOrThrow();
      const version = Number(last.version) + 1;
      await trx
        .insertInto("partnership_settings_versions")
        .values({
          partnership_id: ctx.partnershipId,
          version,
          settings: JSON.stringify(parsed.data),
          reason: reason.trim(),
          changed_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "change",
        recordType: "partnership-settings",
        recordId: ctx.partnershipId,
        reason: reason.trim(),
        details: { version, ...changes(before, parsed.data) },
      });
      return done({ version });
    });
  }
}
