// SPDX-License-Identifier: MIT
/**
 * A child's level of need, derived from the decisions recorded about them and the services open to them
 * (../level-of-need.ts holds the rule), with the wording of the partnership's settings. Read inside an
 * open transaction for a child the caller may open.
 */
import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { Trx } from "../../data/repository-scope.ts";
import { type IsoDate, todayInEngland } from "../../kernel/calendar.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import { readPathwaySettings } from "../../settings/pathway-settings.ts";
import type { ClosureReason, EarlyHelpEnding, FrontDoorOutcome } from "../codes.ts";
import { loadCscEvents } from "../csc-event-store.ts";
import { deriveEpisodes, type Episode } from "../episodes.ts";
import {
  type DerivedLevel,
  deriveLevelOfNeed,
  describeLevel,
  type LevelEvent,
  type LevelOption,
} from "../level-of-need.ts";
import { p } from "../pathway-records.ts";

export { p };

/** A derived level with its name and description, ready for a page. */
export type ShownLevel = DerivedLevel & { name: string; description: string; pathway: string };

/** The partnership's levels, lowest first, with the wording its settings give them. */
const levelsOf = async (trx: Trx): Promise<LevelOption[]> => (await readPathwaySettings(trx)).levels;

/** The child's social care episodes, derived from their events. */
export const episodesOf = async (trx: Trx, personId: string): Promise<Episode[]> =>
  deriveEpisodes(await loadCscEvents(trx, [personId]));

/** The child's current involvements of early help agencies (early help held without a plan in Hearth). */
export const earlyHelpAgencyInvolvements = (trx: Trx, personId: string, today: IsoDate) =>
  trx
    .selectFrom("involvements as i")
    .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "i.agency_id"))
    .where(p("i.partnership_id"), "=", currentPartnership)
    .where("i.person_id", "=", personId)
    .where("a.agency_type", "=", "early-help")
    .where("i.started_on", "<=", today)
    .where((eb) => eb.or([eb("i.ended_on", "is", null), eb("i.ended_on", ">=", today)]));

/** The child's level of need, derived from the decisions and open services (the caller may open the child). */
export const levelOf = async (
  trx: Trx,
  personId: string,
  episodes: Episode[],
): Promise<ShownLevel | null> => {
  const levels = await levelsOf(trx);
  const today = todayInEngland();
  // The decisions and services in one statement (a round trip, not four).
  const { decisions, requests, earlyHelp, involvedSince } = await trx
    .selectNoFrom((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom("level_decisions")
          .select(["chosen_level", "decided_on"])
          .where(inCurrentPartnership())
          .where("person_id", "=", personId),
      ).as("decisions"),
      jsonArrayFrom(
        eb
          .selectFrom("support_requests")
          .select(["outcome", "decided_on"])
          .where(inCurrentPartnership())
          .where("person_id", "=", personId)
          .where("outcome", "is not", null),
      ).as("requests"),
      jsonArrayFrom(
        eb
          .selectFrom("early_help as h")
          .select([
            "h.started_on",
            "h.ended_on",
            "h.ending",
            sql<number>`(select count(distinct m.agency_id) from early_help_members m
              where m.partnership_id = h.partnership_id and m.early_help_id = h.early_help_id
                and m.left_on is null)`.as("agencies"),
          ])
          .where(p("h.partnership_id"), "=", currentPartnership)
          .where("h.person_id", "=", personId),
      ).as("earlyHelp"),
      // Early help recorded only as an early help agency's involvement still counts as early help.
      earlyHelpAgencyInvolvements(trx, personId, today)
        .select(sql<IsoDate | null>`min(i.started_on)`.as("since"))
        .as("involvedSince"),
    ])
    .executeTakeFirstOrThrow();
  const events: LevelEvent[] = [
    ...decisions.map((d) => ({ kind: "level-decision" as const, on: d.decided_on, level: d.chosen_level })),
    ...requests.flatMap((r) =>
      r.outcome && r.decided_on
        ? [{ kind: "front-door" as const, on: r.decided_on, outcome: r.outcome as FrontDoorOutcome }]
        : [],
    ),
    ...episodes.flatMap((e) =>
      e.closureDate
        ? [{ kind: "closure" as const, on: e.closureDate, reason: e.closureReason as ClosureReason | null }]
        : [],
    ),
    ...earlyHelp.flatMap((h) =>
      h.ended_on && h.ending
        ? [{ kind: "early-help-ended" as const, on: h.ended_on, ending: h.ending as EarlyHelpEnding }]
        : [],
    ),
  ];
  const open = earlyHelp.filter((h) => h.ended_on === null);
  const firstOpen = open.map((h) => h.started_on).sort()[0];
  const openPlan = (plans: { start: IsoDate; end: IsoDate | null }[]) =>
    plans
      .filter((x) => x.end === null)
      .map((x) => x.start)
      .sort()[0] ?? null;
  const derived = deriveLevelOfNeed(
    {
      events,
      openEarlyHelp: firstOpen
        ? { since: firstOpen, withTeam: open.some((h) => Number(h.agencies) > 1) }
        : involvedSince
          ? { since: involvedSince, withTeam: false }
          : null,
      openCinPlanSince: openPlan(episodes.flatMap((e) => (e.closureDate ? [] : e.cinPlans))),
      openCpPlanSince: openPlan(episodes.flatMap((e) => (e.closureDate ? [] : e.cpPlans))),
    },
    levels,
  );
  if (!derived) return null;
  const shown = describeLevel(derived.code, levels);
  return {
    ...derived,
    name: shown?.name ?? derived.code,
    description: shown?.description ?? "",
    pathway: shown?.pathway ?? "",
  };
};
