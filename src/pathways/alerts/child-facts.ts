// SPDX-License-Identifier: MIT
/**
 * What the alert rules (../alerts.ts) need to know about each child: social care episodes, requests for
 * support, early help with its reviews and actions, missed health appointments, neglect assessments and
 * professional differences. Read in one query per kind for a whole list of children, so a manager's or
 * safeguarding lead's thousands of children cost the same few queries as one child. The caller has
 * already confined the list to the children it may see.
 */
import { sql } from "kysely";
import { idIn } from "../../data/id-list.ts";
import type { Trx } from "../../data/repository-scope.ts";
import type { IsoDate } from "../../kernel/calendar.ts";
import { currentPartnership, inCurrentPartnership } from "../../kernel/sql.ts";
import type { ChildFacts } from "../alerts.ts";
import { loadEpisodesByPerson } from "../csc-event-store.ts";
import { groupBy, p } from "../pathway-records.ts";

/** SQL: the assessment's record of the child's voice (a JSON column) holds something. */
export const voiceRecorded = (column: string) =>
  sql<boolean>`(${sql.ref(column)} is not null and ${sql.ref(column)}::text not in ('null', '{}', '[]', '""'))`;

/**
 * @param notBroughtSince - Read only "not brought" events after this day: the rules count only the last
 *   months' (../alerts.ts notBroughtRepeated), and a safeguarding lead's children have years of them.
 * @returns Each child's facts, by person id.
 */
export const loadChildFacts = async (
  trx: Trx,
  personIds: readonly string[],
  notBroughtSince?: IsoDate,
): Promise<Map<string, ChildFacts>> => {
  const facts = new Map<string, ChildFacts>();
  if (personIds.length === 0) return facts;
  const episodes = await loadEpisodesByPerson(trx, personIds);
  const requests = await trx
    .selectFrom("support_requests")
    .select(["request_id", "person_id", "received_on", "decided_on"])
    .where(inCurrentPartnership())
    .where(idIn("person_id", personIds))
    .execute();
  const earlyHelp = await trx
    .selectFrom("early_help")
    .select(["early_help_id", "person_id", "started_on", "ended_on", "lead_user_id", "review_interval_weeks"])
    .where(inCurrentPartnership())
    .where(idIn("person_id", personIds))
    .execute();
  const ehIds = earlyHelp.map((h) => h.early_help_id);
  const reviews = ehIds.length
    ? await trx
        .selectFrom("early_help_reviews")
        .select(["early_help_id", "held_on"])
        .where(inCurrentPartnership())
        .where(idIn("early_help_id", ehIds))
        .execute()
    : [];
  const actions = ehIds.length
    ? await trx
        .selectFrom("early_help_actions")
        .select(["early_help_id", "action_id", "description", "owner", "due_on", "done_on"])
        .where(inCurrentPartnership())
        .where(idIn("early_help_id", ehIds))
        .execute()
    : [];
  const notBrought = await trx
    .selectFrom("chronology_events as e")
    .select(["e.event_id", "e.person_id", "e.occurred_on", "e.event_type"])
    .where(p("e.partnership_id"), "=", currentPartnership)
    .where(idIn("e.person_id", personIds))
    .where("e.event_type", "in", ["not-brought-health", "not-brought-dental"])
    .$if(notBroughtSince !== undefined, (q) => q.where("e.occurred_on", ">", notBroughtSince as IsoDate))
    .where(
      sql<boolean>`not exists (select 1 from chronology_retractions r where r.partnership_id = e.partnership_id and r.event_id = e.event_id)`,
    )
    .where(
      sql<boolean>`not exists (select 1 from chronology_events s where s.partnership_id = e.partnership_id and s.supersedes_event_id = e.event_id)`,
    )
    .execute();
  const assessments = await trx
    .selectFrom("assessments")
    .select(["person_id", "assessed_on", voiceRecorded("child_voice").as("voiced")])
    .where(inCurrentPartnership())
    .where(idIn("person_id", personIds))
    .where("status", "in", ["submitted", "signed-off"])
    .execute();
  const escalations = await trx
    .selectFrom("escalations")
    .select(["escalation_id", "person_id", "raised_by", "resolved_on"])
    .where(inCurrentPartnership())
    .where(idIn("person_id", personIds))
    .execute();
  const steps = escalations.length
    ? await trx
        .selectFrom("escalation_steps")
        .select(["escalation_id", "stage", "started_on"])
        .where(inCurrentPartnership())
        .where(
          idIn(
            "escalation_id",
            escalations.map((x) => x.escalation_id),
          ),
        )
        .execute()
    : [];
  // Grouped once, so building each child's facts is a look-up rather than a scan of every row (a
  // manager's or safeguarding lead's thousands of children made that children x rows).
  const escalationsOf = groupBy(escalations, (x) => x.person_id);
  const stepsOf = groupBy(steps, (step) => step.escalation_id);
  const requestsOf = groupBy(requests, (r) => r.person_id);
  const earlyHelpOf = groupBy(earlyHelp, (h) => h.person_id);
  const reviewsOf = groupBy(reviews, (r) => r.early_help_id);
  const actionsOf = groupBy(actions, (a) => a.early_help_id);
  const notBroughtOf = groupBy(notBrought, (n) => n.person_id);
  const assessmentsOf = groupBy(assessments, (a) => a.person_id);
  for (const personId of personIds) {
    facts.set(personId, {
      escalations: (escalationsOf.get(personId) ?? []).map((x) => ({
        escalationId: x.escalation_id,
        raisedBy: x.raised_by,
        resolvedOn: x.resolved_on,
        steps: (stepsOf.get(x.escalation_id) ?? []).map((step) => ({
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
        reviews: (reviewsOf.get(h.early_help_id) ?? []).map((r) => r.held_on),
        actions: (actionsOf.get(h.early_help_id) ?? []).map((a) => ({
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
