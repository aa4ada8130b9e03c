// SPDX-License-Identifier: MIT
/**
 * The one ordered list of migrations; the same list runs on PGlite and on PostgreSQL. A released
 * migration is never edited: its code lists are literals, so a new code is a new migration that changes
 * the constraint (src/db/constraint-drift.test.ts fails until there is one).
 */
import type { Migration } from "kysely";
import * as foundation from "./0001-foundation.ts";
import * as peopleChronology from "./0002-people-chronology.ts";
import * as assessments from "./0003-assessments.ts";
import * as pathways from "./0004-pathways.ts";
import * as indicators from "./0005-indicators.ts";
import * as indicatorSnapshots from "./0006-indicator-snapshots.ts";
import * as boardReportJobs from "./0007-board-report-jobs.ts";
import * as signInThrottles from "./0008-sign-in-throttles.ts";
import * as notifications from "./0009-notifications.ts";
import * as notificationKinds from "./0010-notification-kinds.ts";
import * as worklists from "./0011-worklists.ts";
import * as frontDoor from "./0012-front-door.ts";
import * as plans from "./0013-plans.ts";
import * as householdsSettings from "./0014-households-settings.ts";
import * as speedIndexes from "./0015-speed-indexes.ts";
import * as cinRoundTrip from "./0017-cin-round-trip.ts";
import * as signals from "./0018-signals.ts";
import * as agencyImports from "./0019-agency-imports.ts";
import * as learning from "./0020-learning.ts";
import * as operations from "./0021-operations.ts";
import * as boardSettings from "./0022-board-settings.ts";
import * as familyAssessments from "./0024-family-assessments.ts";
import * as retention from "./0026-retention.ts";
import * as assessmentInternalReview from "./0029-assessment-internal-review.ts";
import * as strategyDiscussionEvents from "./0030-strategy-discussion-events.ts";
import * as retentionReviewNotification from "./0032-retention-review-notification.ts";
import * as worklistIndexes from "./0033-worklist-indexes.ts";
import * as indicatorUnits from "./0034-indicator-units.ts";
import * as indicatorUnitDigests from "./0035-indicator-unit-digests.ts";
import * as indicatorUnitCounts from "./0036-indicator-unit-counts.ts";
import * as auditChainedAtCommit from "./0037-audit-chained-at-commit.ts";
import * as nameIndexWithoutPendingList from "./0038-name-index-without-pending-list.ts";
import * as nameSearchBySimilarity from "./0039-name-search-by-similarity.ts";
import * as missedAppointmentsByDate from "./0040-missed-appointments-by-date.ts";
import * as auditPendingClearedBeforeChaining from "./0041-audit-pending-cleared-before-chaining.ts";

export const MIGRATIONS: Record<string, Migration> = {
  "0001-foundation": foundation,
  "0002-people-chronology": peopleChronology,
  "0003-assessments": assessments,
  "0004-pathways": pathways,
  "0005-indicators": indicators,
  "0006-indicator-snapshots": indicatorSnapshots,
  "0007-board-report-jobs": boardReportJobs,
  "0008-sign-in-throttles": signInThrottles,
  "0009-notifications": notifications,
  "0010-notification-kinds": notificationKinds,
  "0011-worklists": worklists,
  "0012-front-door": frontDoor,
  "0013-plans": plans,
  "0014-households-settings": householdsSettings,
  "0015-speed-indexes": speedIndexes,
  "0017-cin-round-trip": cinRoundTrip,
  "0018-signals": signals,
  "0019-agency-imports": agencyImports,
  "0020-learning": learning,
  "0021-operations": operations,
  "0022-board-settings": boardSettings,
  "0024-family-assessments": familyAssessments,
  "0026-retention": retention,
  "0029-assessment-internal-review": assessmentInternalReview,
  "0030-strategy-discussion-events": strategyDiscussionEvents,
  "0032-retention-review-notification": retentionReviewNotification,
  "0033-worklist-indexes": worklistIndexes,
  "0034-indicator-units": indicatorUnits,
  "0035-indicator-unit-digests": indicatorUnitDigests,
  "0036-indicator-unit-counts": indicatorUnitCounts,
  "0037-audit-chained-at-commit": auditChainedAtCommit,
  "0038-name-index-without-pending-list": nameIndexWithoutPendingList,
  "0039-name-search-by-similarity": nameSearchBySimilarity,
  "0040-missed-appointments-by-date": missedAppointmentsByDate,
  "0041-audit-pending-cleared-before-chaining": auditPendingClearedBeforeChaining,
};
