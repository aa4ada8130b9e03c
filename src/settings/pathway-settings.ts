// SPDX-License-Identifier: MIT
/**
 * A partnership's settings of the pathway: how its threshold document words each level of need (name,
 * description, what each offers) and its local timescales (visit intervals, the "not brought" pattern,
 * escalation stages). Kept as versions (partnership_settings_versions, append-only); the latest applies.
 * Where nothing is saved the defaults are the values Hearth has always used, so behaviour only changes
 * when someone changes a setting on purpose. The codes of the levels never change here: decisions already
 * recorded hold those codes.
 */
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { z } from "zod";
import type { Trx } from "../data/repository-scope.ts";
import { inCurrentPartnership } from "../kernel/sql.ts";
import { type AlertSettings, DEFAULT_ALERT_SETTINGS } from "../pathways/alerts.ts";
import { DEFAULT_NEED_LEVELS } from "../pathways/codes.ts";
import { ESCALATION_STAGE_ORDER, type EscalationStage } from "../pathways/escalation.ts";

export type NeedLevelWording = { code: string; name: string; description: string; pathway: string };

export type PathwaySettings = {
  levels: NeedLevelWording[];
  timescales: AlertSettings;
};

/** The bounds of each timescale, so a typing slip cannot switch an alert off or make it fire daily. */
export const TIMESCALE_BOUNDS = {
  cpVisitWorkingDays: { min: 1, max: 60, label: "Working days between visits on a child protection plan" },
  cinVisitWorkingDays: { min: 1, max: 120, label: "Working days between visits on a child in need plan" },
  notBroughtThreshold: { min: 1, max: 20, label: "How many times not brought make a pattern" },
  notBroughtMonths: { min: 1, max: 36, label: "Months in which times not brought are counted" },
  neglectAssessmentMonths: {
    min: 1,
    max: 24,
    label: "Months a plan may be open without a neglect assessment",
  },
} as const;
export type SimpleTimescale = keyof typeof TIMESCALE_BOUNDS;
export const SIMPLE_TIMESCALES = Object.keys(TIMESCALE_BOUNDS) as SimpleTimescale[];
export const ESCALATION_DAY_BOUNDS = { min: 1, max: 60 } as const;

const ZLevel = z.object({
  code: z.string(),
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(2000),
  pathway: z.string().trim().max(500),
});
const whole = (b: { min: number; max: number }) => z.number().int().min(b.min).max(b.max);
export const ZPathwaySettings = z.object({
  levels: z.array(ZLevel).max(8),
  timescales: z.object({
    cpVisitWorkingDays: whole(TIMESCALE_BOUNDS.cpVisitWorkingDays),
    cinVisitWorkingDays: whole(TIMESCALE_BOUNDS.cinVisitWorkingDays),
    notBroughtThreshold: whole(TIMESCALE_BOUNDS.notBroughtThreshold),
    notBroughtMonths: whole(TIMESCALE_BOUNDS.notBroughtMonths),
    neglectAssessmentMonths: whole(TIMESCALE_BOUNDS.neglectAssessmentMonths),
    escalationWorkingDays: z.object({
      practitioner: whole(ESCALATION_DAY_BOUNDS),
      manager: whole(ESCALATION_DAY_BOUNDS),
      "safeguarding-lead": whole(ESCALATION_DAY_BOUNDS),
      partnership: whole(ESCALATION_DAY_BOUNDS),
    }),
  }),
});

/**
 * The settings in force: the saved wording laid over the partnership's level codes, and the saved
 * timescales; anything missing or unreadable in a saved version falls back to the default. Pure.
 * @param baseLevels - The partnership's levels (its own list, or the common four).
 * @param saved - The latest saved settings, if any.
 */
export const settingsInForce = (baseLevels: readonly NeedLevelWording[], saved: unknown): PathwaySettings => {
  const parsed = ZPathwaySettings.safeParse(saved);
  const value = parsed.success ? parsed.data : undefined;
  const wording = new Map((value?.levels ?? []).map((l) => [l.code, l]));
  return {
    levels: baseLevels.map((level) => {
      const w = wording.get(level.code);
      return w ? { ...w, code: level.code } : { ...level };
    }),
    timescales: value
      ? { ...value.timescales, escalationWorkingDays: { ...value.timescales.escalationWorkingDays } }
      : { ...DEFAULT_ALERT_SETTINGS },
  };
};

/** The stages in order, for forms. */
export const ESCALATION_STAGES_IN_ORDER: readonly EscalationStage[] = ESCALATION_STAGE_ORDER;

/**
 * The one reader of the pathway settings, inside the caller's transaction (partnership already scoped):
 * the latest saved version, or the defaults when none is saved, over the partnership's levels (the
 * defaults' when it has none). One statement: most pages with a worklist or a child's level read them.
 */
export const readPathwaySettings = async (trx: Trx): Promise<PathwaySettings> => {
  const { latest, levels } = await trx
    .selectNoFrom((eb) => [
      eb
        .selectFrom("partnership_settings_versions")
        .select("settings")
        .where(inCurrentPartnership())
        .orderBy("version", "desc")
        .limit(1)
        .as("latest"),
      jsonArrayFrom(
        eb
          .selectFrom("need_levels")
          .select(["level_code as code", "name", "description", "pathway"])
          .where(inCurrentPartnership())
          .orderBy("position"),
      ).as("levels"),
    ])
    .executeTakeFirstOrThrow();
  return settingsInForce(
    levels.length > 0 ? levels : DEFAULT_NEED_LEVELS.map((level) => ({ ...level })),
    latest ?? undefined,
  );
};
