// SPDX-License-Identifier: MIT
/**
 * Schema drift: migrations hold their code lists as literals, frozen as released, so a database migrated
 * long ago and a fresh one allow the same codes. This test migrates a database, reads every CHECK
 * constraint that limits a column to a list of codes, and compares each with the code list in code: a
 * code added to (or removed from) a list without a migration that changes the constraint fails here, by
 * table, column and code.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import {
  ASSESSMENT_MODE_CODES,
  ASSESSMENT_STATUS_CODES,
  EVIDENCE_SOURCE_CODES,
  LICENCE_KINDS,
  TOOL_TIERS,
} from "../assessments/codes.ts";
import {
  DATE_PRECISION_CODES,
  EVENT_TYPE_CODES,
  INFORMATION_BASIS_CODES,
  NEGLECT_TYPE_CODES,
  SIGNIFICANCE_CODES,
  VISIBILITY_CODES,
} from "../chronology/codes.ts";
import { IMPORT_FORMAT_CODES, REVIEW_DECISION_CODES, ROW_FATE_CODES } from "../imports/codes.ts";
import { NEIGHBOUR_FILES, SUPPRESSION_CODES } from "../indicators/benchmarks-import.ts";
import { POPULATION_BASIS_CODES } from "../indicators/board-settings.ts";
import {
  AUDIT_GRADE_CODES,
  AUDIT_THEME_CODES,
  COURSE_LEVEL_CODES,
  EVALUATION_STAGE_CODES,
  FEEDBACK_CHANNEL_CODES,
  FEEDBACK_VERSION_CODES,
  SAMPLE_METHOD_CODES,
  SAMPLE_RULE_CODES,
} from "../learning/codes.ts";
import { NOTIFICATION_KIND_CODES } from "../notifications/codes.ts";
import { AGENCY_TYPE_CODES, ROLE_CODES, SSO_MAPPABLE_ROLE_CODES } from "../organisation/codes.ts";
import {
  ABUSE_CATEGORY_CODES,
  ASSESSMENT_FACTOR_CODES,
  CLOSURE_REASON_CODES,
  CSC_EVENT_TYPE_CODES,
  EARLY_HELP_ENDING_CODES,
  FRONT_DOOR_OUTCOME_CODES,
  PRIMARY_NEED_CODES,
  RAG_RATING_CODES,
  REFERRAL_SOURCE_CODES,
} from "../pathways/codes.ts";
import { ESCALATION_STAGES } from "../pathways/escalation.ts";
import {
  AUTHORISATION_DECISION_CODES,
  AUTHORISATION_SUBJECT_CODES,
  CASEWORK_RECORD_TYPE_CODES,
  PLAN_ITEM_TYPE_CODES,
  PLAN_PROGRESS_CODES,
  PLAN_TYPE_CODES,
} from "../pathways/plans/codes.ts";
import {
  CONSENT_STATE_CODES,
  DISABILITY_CODE_LIST,
  ETHNICITY_CODE_LIST,
  HOUSEHOLD_ROLE_CODES,
  PERSON_KIND_CODES,
  RELATIONSHIP_TYPE_CODES,
  SEND_STATUS_CODES,
  SEX_CODE_LIST,
  SHARING_BASIS_CODES,
  UPN_UNKNOWN_CODES,
} from "../people/codes.ts";
import { SIGNAL_DECISION_CODES } from "../signals/codes.ts";
import { openTestDatabase } from "../test-support/harness.ts";
import type { HearthDatabase } from "./database.ts";

/**
 * Each constrained column and the list in code it must equal; `null` where the migration is the only
 * list (no code list in code to drift from). A constraint that applies only to some event types is keyed
 * with them, as `csc_events.code when event_type is referral`.
 */
const CODE_LISTS: Record<string, readonly string[] | null> = {
  "agencies.agency_type": AGENCY_TYPE_CODES,
  "notifications.kind": NOTIFICATION_KIND_CODES,
  "users.role": ROLE_CODES,
  "sso_group_mappings.role": SSO_MAPPABLE_ROLE_CODES,
  "people.kind": PERSON_KIND_CODES,
  "people.sex": SEX_CODE_LIST,
  "people.ethnicity": ETHNICITY_CODE_LIST,
  "people.disabilities": DISABILITY_CODE_LIST,
  "people.send_status": SEND_STATUS_CODES,
  "people.upn_unknown": UPN_UNKNOWN_CODES,
  "person_names.name_use": null,
  "household_members.household_role": HOUSEHOLD_ROLE_CODES,
  "relationships.relationship_type": RELATIONSHIP_TYPE_CODES,
  "involvements.sharing_basis": SHARING_BASIS_CODES,
  "involvements.consent": CONSENT_STATE_CODES,
  "involvement_requests.decision": null,
  "chronology_events.date_precision": DATE_PRECISION_CODES,
  "chronology_events.event_type": EVENT_TYPE_CODES,
  "chronology_events.significance": SIGNIFICANCE_CODES,
  "chronology_events.neglect_types": NEGLECT_TYPE_CODES,
  "chronology_events.information_basis": INFORMATION_BASIS_CODES,
  "chronology_events.visibility": VISIBILITY_CODES,
  "chronology_events.restricted_to_roles": ROLE_CODES,
  "assessment_tools.tier": Object.keys(TOOL_TIERS),
  "assessment_tools.licence_kind": Object.keys(LICENCE_KINDS),
  "assessment_tools.source": null,
  "assessments.status": ASSESSMENT_STATUS_CODES,
  "assessments.mode": ASSESSMENT_MODE_CODES,
  "assessment_answers.special": null,
  "assessment_answers.evidence_sources": EVIDENCE_SOURCE_CODES,
  "support_requests.consent": CONSENT_STATE_CODES,
  "support_requests.rag": RAG_RATING_CODES,
  "support_requests.outcome": FRONT_DOOR_OUTCOME_CODES,
  "early_help.ending": EARLY_HELP_ENDING_CODES,
  "csc_events.event_type": CSC_EVENT_TYPE_CODES,
  "csc_events.codes": ASSESSMENT_FACTOR_CODES,
  "csc_events.origin": null,
  "csc_events.code when event_type is referral": REFERRAL_SOURCE_CODES,
  "csc_events.code when event_type is primary-need": PRIMARY_NEED_CODES,
  "csc_events.code when event_type is closure": CLOSURE_REASON_CODES,
  "csc_events.code when event_type is cp-plan-start or cp-category-change": ABUSE_CATEGORY_CODES,
  "csc_events.code when event_type is cp-review": ABUSE_CATEGORY_CODES,
  "csc_events.code when event_type is entered-care": PRIMARY_NEED_CODES,
  "escalation_steps.stage": Object.keys(ESCALATION_STAGES),
  "benchmark_values.geographic_level": null,
  "benchmark_values.suppression": SUPPRESSION_CODES,
  "benchmark_areas.geographic_level": null,
  "statistical_neighbours.model": Object.keys(NEIGHBOUR_FILES),
  "board_report_jobs.steps_done": null,
  "plans.plan_type": PLAN_TYPE_CODES,
  "plan_review_progress.item_type": PLAN_ITEM_TYPE_CODES,
  "plan_review_progress.status": PLAN_PROGRESS_CODES,
  "casework_records.record_type": CASEWORK_RECORD_TYPE_CODES,
  "authorisations.subject_type": AUTHORISATION_SUBJECT_CODES,
  "authorisation_decisions.decision": AUTHORISATION_DECISION_CODES,
  "signal_decisions.decision": SIGNAL_DECISION_CODES,
  "signal_entries.entry_source": null,
  "signals.trigger": null,
  "board_settings_versions.population_basis": POPULATION_BASIS_CODES,
  "import_mappings.format": IMPORT_FORMAT_CODES,
  "import_rows.fate": ROW_FATE_CODES,
  "import_reviews.decision": REVIEW_DECISION_CODES,
  "audit_rounds.theme": AUDIT_THEME_CODES,
  "audit_rounds.sample_method": SAMPLE_METHOD_CODES,
  "audit_rounds.sample_rule": SAMPLE_RULE_CODES,
  "audit_returns.overall_grade": AUDIT_GRADE_CODES,
  "audit_return_answers.grade": AUDIT_GRADE_CODES,
  "audit_moderations.agreed_grade": AUDIT_GRADE_CODES,
  "training_courses.level": COURSE_LEVEL_CODES,
  "training_evaluations.stage": EVALUATION_STAGE_CODES,
  "feedback_links.version": FEEDBACK_VERSION_CODES,
  "feedback_responses.version": FEEDBACK_VERSION_CODES,
  "feedback_responses.channel": FEEDBACK_CHANNEL_CODES,
  "family_assessments.mode": ASSESSMENT_MODE_CODES,
  "family_assessment_answers.special": null,
  "family_assessment_answers.evidence_sources": EVIDENCE_SOURCE_CODES,
};

/** One column limited to a list of codes by a CHECK constraint, as the database holds it. */
type ConstrainedList = { key: string; constraint: string; codes: string[] };

const quotedCodes = (array: string): string[] =>
  [...array.matchAll(/'((?:[^']|'')*)'::text/g)].map((m) => (m[1] ?? "").replaceAll("''", "'"));

/**
 * The code lists in one constraint, from PostgreSQL's own rendering of it (pg_get_constraintdef):
 * `col = ANY (ARRAY[...])` for `in (...)`, `col <@ ARRAY[...]` for arrays of codes, and any
 * `event_type <> 'x'` or `event_type <> ALL (ARRAY[...])` guard as the list's condition.
 */
const listsInConstraint = (table: string, constraint: string, definition: string): ConstrainedList[] => {
  const guards = [
    ...[...definition.matchAll(/\((\w+) <> '([^']*)'::text\)/g)].map((m) => ({
      column: m[1],
      codes: [m[2]],
    })),
    ...[...definition.matchAll(/\((\w+) <> ALL \(ARRAY\[([^\]]*)\]\)\)/g)].map((m) => ({
      column: m[1],
      codes: quotedCodes(m[2] ?? ""),
    })),
  ];
  const when = guards.map((g) => ` when ${g.column} is ${g.codes.join(" or ")}`).join("");
  return [
    ...definition.matchAll(/\((\w+) = ANY \(ARRAY\[([^\]]*)\]\)\)/g),
    ...definition.matchAll(/\((\w+) <@ ARRAY\[([^\]]*)\]\)/g),
  ].map((m) => ({ key: `${table}.${m[1]}${when}`, constraint, codes: quotedCodes(m[2] ?? "") }));
};

/**
 * Compares the database's code lists with the lists in code.
 * @returns One sentence per difference; empty when they agree.
 */
const driftBetween = (
  inDatabase: ConstrainedList[],
  inCode: Record<string, readonly string[] | null>,
): string[] => {
  const problems: string[] = [];
  for (const found of inDatabase) {
    const expected = inCode[found.key];
    if (expected === undefined) {
      problems.push(
        `${found.key} (${found.constraint}) is limited to codes this test does not know: name its code list in CODE_LISTS (src/db/constraint-drift.test.ts), or null if the migration is the only list`,
      );
      continue;
    }
    if (expected === null) continue;
    const missing = expected.filter((code) => !found.codes.includes(code));
    const extra = found.codes.filter((code) => !expected.includes(code));
    if (missing.length > 0 || extra.length > 0) {
      const [table, column] = found.key.split(".");
      problems.push(
        `table ${table}, column ${column} (${found.constraint}): ` +
          [
            missing.length > 0
              ? `in code but refused by the database: ${missing.map((c) => `'${c}'`).join(", ")}`
              : "",
            extra.length > 0
              ? `allowed by the database but not in code: ${extra.map((c) => `'${c}'`).join(", ")}`
              : "",
          ]
            .filter(Boolean)
            .join("; ") +
          ". Add a migration that changes the constraint; never edit a released one.",
      );
    }
  }
  for (const key of Object.keys(inCode)) {
    if (!inDatabase.some((found) => found.key === key)) {
      problems.push(`${key}: no CHECK constraint in the migrated database limits it to a list of codes`);
    }
  }
  return problems;
};

describe("CHECK constraints and the code lists in code", () => {
  let database: HearthDatabase;
  before(async () => {
    database = await openTestDatabase();
  });
  after(() => database.close());

  it("every code list the migrations left in the database equals its list in code", async () => {
    const { rows } = await sql<{ table: string; constraint: string; definition: string }>`
      select c.conrelid::regclass::text as table, c.conname as constraint, pg_get_constraintdef(c.oid) as definition
      from pg_constraint c
      join pg_namespace n on n.oid = c.connamespace
      where c.contype = 'c' and n.nspname = current_schema()
      order by 1, 2`.execute(database.unsafeOwnerDb);
    const lists = rows.flatMap((r) => listsInConstraint(r.table, r.constraint, r.definition));
    assert.ok(lists.length >= Object.keys(CODE_LISTS).length, "the constraints were read");
    const problems = driftBetween(lists, CODE_LISTS);
    assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
  });
});

describe("reading and comparing code lists (pure)", () => {
  it("reads plain, array and event-type-guarded lists as PostgreSQL renders them", () => {
    assert.deepEqual(
      listsInConstraint(
        "people",
        "people_sex_check",
        "CHECK ((sex = ANY (ARRAY['M'::text, 'F'::text, 'U'::text])))",
      ),
      [{ key: "people.sex", constraint: "people_sex_check", codes: ["M", "F", "U"] }],
    );
    assert.deepEqual(
      listsInConstraint("board_report_jobs", "x", "CHECK ((steps_done <@ ARRAY['pdf'::text, ''::text]))"),
      [{ key: "board_report_jobs.steps_done", constraint: "x", codes: ["pdf", ""] }],
    );
    assert.deepEqual(
      listsInConstraint(
        "csc_events",
        "csc_events_check3",
        "CHECK (((event_type <> ALL (ARRAY['cp-plan-start'::text, 'cp-category-change'::text])) OR (code = ANY (ARRAY['NEG'::text, 'PHY'::text]))))",
      ),
      [
        {
          key: "csc_events.code when event_type is cp-plan-start or cp-category-change",
          constraint: "csc_events_check3",
          codes: ["NEG", "PHY"],
        },
      ],
    );
    assert.deepEqual(
      listsInConstraint(
        "users",
        "users_email_check",
        "CHECK (((email = lower(email)) AND (email ~~ '%_@_%'::text)))",
      ),
      [],
    );
  });

  it("names the table, column and code when a code is added or removed in code without a migration", () => {
    const inDatabase = [
      { key: "support_requests.rag", constraint: "support_requests_rag_check", codes: ["red", "amber"] },
    ];
    assert.deepEqual(driftBetween(inDatabase, { "support_requests.rag": ["red", "amber"] }), []);
    const [added] = driftBetween(inDatabase, { "support_requests.rag": ["red", "amber", "green"] });
    assert.match(added ?? "", /table support_requests, column rag \(support_requests_rag_check\)/);
    assert.match(added ?? "", /in code but refused by the database: 'green'/);
    const [removed] = driftBetween(inDatabase, { "support_requests.rag": ["red"] });
    assert.match(removed ?? "", /allowed by the database but not in code: 'amber'/);
  });

  it("fails on a constrained list it does not know, and on a known list the database no longer constrains", () => {
    const inDatabase = [{ key: "people.sex", constraint: "people_sex_check", codes: ["M", "F"] }];
    assert.match(
      driftBetween(inDatabase, {}).join("\n"),
      /people\.sex \(people_sex_check\) is limited to codes/,
    );
    assert.match(
      driftBetween([], { "people.sex": ["M", "F"] }).join("\n"),
      /people\.sex: no CHECK constraint in the migrated database/,
    );
  });
});
