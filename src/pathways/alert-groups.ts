// SPDX-License-Identifier: MIT
/**
 * How alerts are shown: grouped by child, most severe and oldest first, with counts per severity and a
 * filter by severity and kind. Pure, so the alerts page and the home page agree and a test can check
 * the order. Severity is about the child's safety: a child not seen, or a statutory decision or meeting
 * not held, comes before a plan drifting, which comes before a gap in the record.
 */

import type { IsoDate } from "../kernel/calendar.ts";
import { ALERT_TYPES, type AlertType } from "./alerts.ts";

export const SEVERITIES = { high: "High", medium: "Medium", low: "Low" } as const;
export type Severity = keyof typeof SEVERITIES;
const SEVERITY_ORDER: Severity[] = ["high", "medium", "low"];

export const ALERT_SEVERITY: Record<AlertType, Severity> = {
  "decision-overdue": "high",
  "conference-overdue": "high",
  "visit-overdue": "high",
  "not-brought": "high",
  "assessment-overdue": "medium",
  "review-overdue": "medium",
  "action-overdue": "medium",
  "escalation-overdue": "medium",
  "re-referral": "medium",
  "repeat-plan-same-category": "medium",
  "cp-neglect-12-months": "low",
  "cin-neglect-6-months": "low",
  "no-neglect-assessment": "low",
  "no-child-voice": "low",
};

type GroupableAlert = { type: AlertType; personId: string; since: IsoDate; childName: string };

export type AlertFilter = { severity?: Severity | undefined; kind?: AlertType | undefined };

/** Reads the filter from a query string, ignoring anything that is not a known code. */
export const alertFilterFrom = (query: Record<string, unknown>): AlertFilter => {
  const severity =
    typeof query.severity === "string" && Object.hasOwn(SEVERITIES, query.severity)
      ? (query.severity as Severity)
      : undefined;
  const kind =
    typeof query.kind === "string" && Object.hasOwn(ALERT_TYPES, query.kind)
      ? (query.kind as AlertType)
      : undefined;
  return { severity, kind };
};

const bySeverityThenAge = (a: GroupableAlert, b: GroupableAlert) =>
  SEVERITY_ORDER.indexOf(ALERT_SEVERITY[a.type]) - SEVERITY_ORDER.indexOf(ALERT_SEVERITY[b.type]) ||
  (a.since < b.since ? -1 : a.since > b.since ? 1 : 0);

/**
 * @param alerts - The caller's alerts.
 * @param filter - Only alerts of this severity and kind (counts are of all alerts, so the filter shows
 *   what it hides).
 */
export const groupAlerts = <A extends GroupableAlert>(alerts: readonly A[], filter: AlertFilter = {}) => {
  const counts = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, 0])) as Record<Severity, number>;
  const kindCounts: Partial<Record<AlertType, number>> = {};
  for (const a of alerts) {
    counts[ALERT_SEVERITY[a.type]] += 1;
    kindCounts[a.type] = (kindCounts[a.type] ?? 0) + 1;
  }
  const shown = alerts.filter(
    (a) =>
      (!filter.severity || ALERT_SEVERITY[a.type] === filter.severity) &&
      (!filter.kind || a.type === filter.kind),
  );
  const byChild = new Map<string, A[]>();
  for (const a of shown) byChild.set(a.personId, [...(byChild.get(a.personId) ?? []), a]);
  const groups = [...byChild].map(([personId, list]) => {
    const sorted = [...list].sort(bySeverityThenAge).map((a) => ({ ...a, severity: ALERT_SEVERITY[a.type] }));
    const first = sorted[0] as (typeof sorted)[number];
    return {
      personId,
      childName: first.childName,
      severity: first.severity,
      oldest: first.since,
      alerts: sorted,
    };
  });
  groups.sort(
    (a, b) => bySeverityThenAge(a.alerts[0] as A, b.alerts[0] as A) || a.childName.localeCompare(b.childName),
  );
  return {
    total: alerts.length,
    shown: shown.length,
    counts,
    kinds: (Object.keys(ALERT_TYPES) as AlertType[])
      .filter((k) => kindCounts[k])
      .map((k) => ({ code: k, label: ALERT_TYPES[k], count: kindCounts[k] ?? 0 })),
    groups,
  };
};

/** Children per page of the alerts page. */
export const ALERT_CHILDREN_PER_PAGE = 25;

/**
 * One page of grouped alerts: a safeguarding lead's alerts cover the partnership, and thousands of
 * children on one page made a megabyte of HTML. Children stay in order (most severe first); a page
 * number that is not a whole number starts at the first page, and one past the end shows the last.
 */
export const alertPage = <G>(
  grouped: { groups: readonly G[] },
  requested: unknown,
  perPage = ALERT_CHILDREN_PER_PAGE,
) => {
  const pageCount = Math.max(1, Math.ceil(grouped.groups.length / perPage));
  const asked = typeof requested === "string" && /^\d{1,6}$/.test(requested) ? Number(requested) : 1;
  const page = Math.min(Math.max(asked, 1), pageCount);
  const first = (page - 1) * perPage;
  return { page, pageCount, firstChild: first + 1, groups: grouped.groups.slice(first, first + perPage) };
};
