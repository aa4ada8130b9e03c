// SPDX-License-Identifier: MIT
/**
 * What the alert rules (../alerts.ts) need to know about each child: social care episodes, requests for
 * support, early help with its reviews and actions, missed health appointments, neglect assessments and
 * professional differences. Read in one statement for a whole list of children, so a manager's or
 * safeguarding lead's thousands of children cost the same few queries as one child. The caller has
 * already confined the list to the children it may see; the entries read are those the caller may read
 * (a restricted "not brought" entry counts only for those it is restricted to and its agency).
 */
import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import type { AccessContext } from "../../data/access-context.ts";
import { eventVisibleTo } from "../../data/child-access.ts";
import { idIn } from "../../data/id-list.ts";
import type { Trx } from "../../data/repository-scope.ts";
import type { IsoDate } from "../../kernel/calendar.ts";
import { currentPartnership, inCurrentPartnership } from "../../kernel/sql.ts";
import type { ChildFacts } from "../alerts.ts";
import { CSC_EVENT_COLUMNS, type CscEventRow, cscEventOf, episodesByPerson } from "../csc-event-store.ts";
import { groupBy, p } from "../pathway-records.ts";

/** SQL: the assessment's record of the child's voice (a JSON column) holds something. */
export const voiceRecorded = (column: string) =>
  sql<boolean>`(${sql.ref(column)} is not null and ${sql.ref(column)}::text not in ('null', '{}', '[]', '""'))`;

/**
 * @param ctx - The caller: which chronology entries they may read.
 * @param notBroughtSince - Read only "not brought" events after this day: the rules count only the last
 *   months' (../alerts.ts notBroughtRepeated), and a safeguarding lead's children have years of them.
 * @returns Each child's facts, by person id.
 */
export const loadChildFacts = async (
  trx: Trx,
  ctx: AccessContext | undefined,
  personIds: readonly string[],
  notBroughtSince?: IsoDate,
): Promise<Map<string, ChildFacts>> => {
  const facts = new Map<string, ChildFacts>();
  if (personIds.length === 0) return facts;
  // Every kind in one statement (a round trip, not up to nine): each kind a JSON array, the early help's
  // reviews and actions and the escalations' steps nested in their rows.
  const sources = await trx
    .selectNoFrom([
      // In the order the episodes are derived in: as they happened, then as they were recorded.
      sql<CscEventRow[]>`(select coalesce(json_agg(e order by e.occurred_on, e.recorded_at), '[]')
        from (${trx
          .selectFrom("csc_events")
          .select([...CSC_EVENT_COLUMNS, "recorded_at"])
          .where(inCurrentPartnership())
          .where(idIn("person_id", personIds))}) e)`.as("cscEvents"),
      jsonArrayFrom(
        trx
          .selectFrom("support_requests")
          .select(["request_id", "person_id", "received_on", "decided_on"])
          .where(inCurrentPartnership())
          .where(idIn("person_id", personIds)),
      ).as("requests"),
      jsonArrayFrom(
        trx
          .selectFrom("early_help as h")
          .select([
            "h.early_help_id",
            "h.person_id",
            "h.started_on",
            "h.ended_on",
            "h.lead_user_id",
            "h.review_interval_weeks",
          ])
          .select((eb) => [
            jsonArrayFrom(
              eb
                .selectFrom("early_help_reviews as r")
                .select("r.held_on")
                .whereRef("r.partnership_id", "=", "h.partnership_id")
                .whereRef("r.early_help_id", "=", "h.early_help_id")
                .orderBy("r.held_on"),
            ).as("reviews"),
            jsonArrayFrom(
              eb
                .selectFrom("early_help_actions as a")
                .select(["a.action_id", "a.description", "a.owner", "a.due_on", "a.done_on"])
                .whereRef("a.partnership_id", "=", "h.partnership_id")
                .whereRef("a.early_help_id", "=", "h.early_help_id"),
            ).as("actions"),
          ])
          .where(p("h.partnership_id"), "=", currentPartnership)
          .where(idIn("h.person_id", personIds)),
      ).as("earlyHelp"),
      jsonArrayFrom(
        trx
          .selectFrom("chronology_events as e")
          .select(["e.event_id", "e.person_id", "e.occurred_on", "e.event_type"])
          .where(p("e.partnership_id"), "=", currentPartnership)
          .where(idIn("e.person_id", personIds))
          .where("e.event_type", "in", ["not-brought-health", "not-brought-dental"])
          .where(
            eventVisibleTo(ctx, {
              visibility: sql.ref("e.visibility"),
              restrictedToRoles: sql.ref("e.restricted_to_roles"),
              sourceAgencyId: sql.ref("e.source_agency_id"),
            }),
          )
          .$if(notBroughtSince !== undefined, (q) =>
            q.where("e.occurred_on", ">", notBroughtSince as IsoDate),
          )
          .where(
            sql<boolean>`not exists (select 1 from chronology_retractions r where r.partnership_id = e.partnership_id and r.event_id = e.event_id)`,
          )
          .where(
            sql<boolean>`not exists (select 1 from chronology_events s where s.partnership_id = e.partnership_id and s.supersedes_event_id = e.event_id)`,
          ),
      ).as("notBrought"),
      jsonArrayFrom(
        trx
          .selectFrom("assessments")
          .select(["person_id", "assessed_on", voiceRecorded("child_voice").as("voiced")])
          .where(inCurrentPartnership())
          .where(idIn("person_id", personIds))
          .where("status", "in", ["submitted", "signed-off"]),
      ).as("assessments"),
      jsonArrayFrom(
        trx
          .selectFrom("escalations as x")
          .select(["x.escalation_id", "x.person_id", "x.raised_by", "x.resolved_on"])
          .select((eb) => [
            jsonArrayFrom(
              eb
                .selectFrom("escalation_steps as s")
                .select(["s.stage", "s.started_on"])
                .whereRef("s.partnership_id", "=", "x.partnership_id")
                .whereRef("s.escalation_id", "=", "x.escalation_id"),
            ).as("steps"),
          ])
          .where(p("x.partnership_id"), "=", currentPartnership)
          .where(idIn("x.person_id", personIds)),
      ).as("escalations"),
    ])
    .executeTakeFirstOrThrow();
  const { cscEvents, requests, earlyHelp, notBrought, assessments, escalations } = sources;
  const episodes = episodesByPerson(cscEvents.map(cscEventOf));
  // Grouped once, so building each child's facts is a look-up rather than a scan of every row (a
  // manager's or safeguarding lead's thousands of children made that children x rows).
  const escalationsOf = groupBy(escalations, (x) => x.person_id);
  const requestsOf = groupBy(requests, (r) => r.person_id);
  const earlyHelpOf = groupBy(earlyHelp, (h) => h.person_id);
  const notBroughtOf = groupBy(notBrought, (n) => n.person_id);
  const assessmentsOf = groupBy(assessments, (a) => a.person_id);
  for (const personId of personIds) {
    facts.set(personId, {
      escalations: (escalationsOf.get(personId) ?? []).map((x) => ({
        escalationId: x.escalation_id,
        raisedBy: x.raised_by,
        resolvedOn: x.resolved_on,
        steps: x.steps.map((step) => ({
          stage: step.stage,
          startedOn: step.started_on,
        })),
      })),
      personId,
      episodes: episodes.get(personId) ?? [],
      requests: (requestsOf.get(personId) ?? []).map((r) => ({
        requestId: r.request_id,
        receivedOn: r.received_on,
        decidedOn: r.decided_on,
      })),
      earlyHelp: (earlyHelpOf.get(personId) ?? []).map((h) => ({
        earlyHelpId: h.early_help_id,
        startedOn: h.started_on,
        endedOn: h.ended_on,
        leadUserId: h.lead_user_id,
        reviewIntervalWeeks: h.review_interval_weeks,
        reviews: h.reviews.map((r) => r.held_on),
        actions: h.actions.map((a) => ({
          actionId: a.action_id,
          text: a.description,
          ownerName: a.owner,
          dueOn: a.due_on,
          doneOn: a.done_on,
        })),
      })),
      notBrought: (notBroughtOf.get(personId) ?? []).map((n) => ({
        eventId: n.event_id,
        occurredOn: n.occurred_on,
        eventType: n.event_type,
      })),
      neglectAssessments: (assessmentsOf.get(personId) ?? []).map((a) => ({
        completedOn: a.assessed_on,
        childVoiceRecorded: a.voiced,
      })),
    });
  }
  return facts;
};
