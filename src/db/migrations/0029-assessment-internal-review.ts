// SPDX-License-Identifier: MIT
/**
 * A CIN census assessment's internal review date (AssessmentInternalReviewDate) had nowhere to live, so an
 * imported return exported again lost it: it becomes a social care event of its own, on the assessment.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
alter table csc_events drop constraint csc_events_event_type_check;
alter table csc_events add constraint csc_events_event_type_check check (event_type in ('referral',
  'referral-nfa', 'primary-need', 'allocation', 'assessment-start', 'assessment-internal-review',
  'assessment-authorised', 's47-start', 'icpc-not-required', 'icpc', 'cp-plan-start', 'cp-category-change',
  'cp-review', 'core-group', 'visit', 'cp-plan-end', 'cin-plan-start', 'cin-plan-review', 'cin-plan-end',
  'entered-care', 'closure'));
alter table csc_events add constraint csc_events_internal_review_on_assessment
  check (event_type <> 'assessment-internal-review' or subject_id is not null);
`,
  );
};
