// SPDX-License-Identifier: MIT
/**
 * Whether a record-history reader may see the content of a record's audit rows (field values, reasons,
 * search criteria), or only who did what when and which fields changed. The audit trail must not be a
 * way round the record's own rules: a restricted chronology entry's text stays with those who may read
 * the entry, and administrators, who never open a child's record, see no child content at all.
 */
import { type RawBuilder, sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import { childVisibleTo, eventVisibleTo } from "../data/child-access.ts";
import { currentPartnership } from "../kernel/sql.ts";

/**
 * Record types about the partnership's organisation and figures, never about a child, adult or family:
 * their history is shown in full to every history reader. Every other type (including any added later)
 * is treated as a child's record, so forgetting to list a new type hides content rather than leaks it.
 */
export const ORGANISATION_RECORD_TYPES: ReadonlySet<string> = new Set([
  "partnership",
  "user",
  "agency",
  "team",
  "session",
  "need-levels",
  "assessment-tool-version",
  "indicator",
  "indicator-commentary",
  "board-report",
  "cin-census",
  "partnership-settings",
]);

/** The person a child-related record is about, as a scalar subquery (null when there is no such record). */
const subjectOf = (recordType: string, recordId: string): RawBuilder<unknown> | undefined => {
  const byId = (table: string, idColumn: string) =>
    sql`(select s.person_id from ${sql.table(table)} s where s.partnership_id = ${currentPartnership} and s.${sql.ref(idColumn)}::text = ${recordId})`;
  const viaEarlyHelp = (table: string, idColumn: string) =>
    sql`(select eh.person_id from ${sql.table(table)} s join early_help eh on eh.partnership_id = s.partnership_id and eh.early_help_id = s.early_help_id where s.partnership_id = ${currentPartnership} and s.${sql.ref(idColumn)}::text = ${recordId})`;
  switch (recordType) {
    case "person":
      return byId("people", "person_id");
    case "chronology-event":
      return byId("chronology_events", "event_id");
    case "household-member":
      return byId("household_members", "membership_id");
    case "relationship":
      return byId("relationships", "relationship_id");
    case "involvement":
      return byId("involvements", "involvement_id");
    case "assessment":
      return byId("assessments", "assessment_id");
    case "level-decision":
      return byId("level_decisions", "decision_id");
    case "support-request":
      return byId("support_requests", "request_id");
    case "csc-event":
      return byId("csc_events", "event_id");
    case "early-help":
      return byId("early_help", "early_help_id");
    case "early-help-member":
      return viaEarlyHelp("early_help_members", "member_id");
    case "early-help-outcome":
      return viaEarlyHelp("early_help_outcomes", "outcome_id");
    case "early-help-action":
      return viaEarlyHelp("early_help_actions", "action_id");
    case "early-help-review":
      return viaEarlyHelp("early_help_reviews", "review_id");
    case "supervision":
      return byId("supervision_records", "supervision_id");
    case "escalation":
      return byId("escalations", "escalation_id");
    case "plan":
      return byId("plans", "plan_id");
    case "casework-record":
      return byId("casework_records", "record_id");
    case "authorisation":
      return byId("authorisations", "authorisation_id");
    default:
      return undefined;
  }
};

/** Every version of a chronology entry next to this one (itself, what it amended, what amended it) may be read. */
const chronologyEntryReadable = (ctx: AccessContext, recordId: string): RawBuilder<boolean> => {
  const readable = eventVisibleTo(ctx, {
    visibility: sql.ref("v.visibility"),
    restrictedToRoles: sql.ref("v.restricted_to_roles"),
    sourceAgencyId: sql.ref("v.source_agency_id"),
  });
  return sql<boolean>`(exists (
      select 1 from chronology_events e
      where e.partnership_id = ${currentPartnership} and e.event_id::text = ${recordId}
    ) and not exists (
      select 1 from chronology_events e
        join chronology_events v
          on v.partnership_id = e.partnership_id
         and (v.event_id = e.event_id or v.event_id = e.supersedes_event_id or v.supersedes_event_id = e.event_id)
      where e.partnership_id = ${currentPartnership} and e.event_id::text = ${recordId}
        and not (${readable} and ${childVisibleTo(ctx, sql.ref("v.person_id"))})
    ))`;
};

/**
 * The SQL condition "the caller may see the content of this record's audit rows".
 * @param ctx - The reader, or undefined (then nothing is visible).
 * @param recordType - The audited record's type, e.g. "chronology-event".
 * @param recordId - The audited record's id, as stored in the audit log.
 * @returns A boolean SQL expression, the same for every row of the record's history.
 */
export const auditContentVisibleTo = (
  ctx: AccessContext | undefined,
  recordType: string,
  recordId: string,
): RawBuilder<boolean> => {
  if (!ctx) return sql<boolean>`false`;
  if (ORGANISATION_RECORD_TYPES.has(recordType)) return sql<boolean>`true`;
  // Administrators run the partnership's users and agencies; a child's details are never theirs to read.
  if (ctx.role === "administrator") return sql<boolean>`false`;
  const subject = subjectOf(recordType, recordId);
  // Searches, queues and alert lists name no single record: only partnership-wide readers see their content.
  const child = childVisibleTo(ctx, subject ?? sql`null::uuid`);
  switch (recordType) {
    case "chronology-event":
      return chronologyEntryReadable(ctx, recordId);
    case "relationship":
      return sql<boolean>`(${child} and ${childVisibleTo(
        ctx,
        sql`(select s.related_person_id from relationships s where s.partnership_id = ${currentPartnership} and s.relationship_id::text = ${recordId})`,
      )})`;
    case "supervision":
      // Supervision is between a worker and their supervisor; safeguarding leads oversee it.
      return sql<boolean>`(${child} and (${ctx.role} = 'safeguarding-lead' or exists (
          select 1 from supervision_records s
          where s.partnership_id = ${currentPartnership} and s.supervision_id::text = ${recordId}
            and ${ctx.userId} in (s.supervisee_user_id::text, s.supervisor_user_id::text)
        )))`;
    default:
      return child;
  }
};
