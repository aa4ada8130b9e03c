// SPDX-License-Identifier: MIT
/**
 * Drift and oversight alerts, derived from a child's events. Pure: given the events and today's date,
 * each rule says whether it fires and shows its evidence (the dated events it rests on) and a link to
 * where the work is done. Nothing is stored, so an alert clears the moment the missing event is recorded.
 */

import {
  addCalendarDays,
  addMonths,
  addWorkingDays,
  type IsoDate,
  workingDaysBetween,
} from "../kernel/calendar.ts";
import type { Episode } from "./episodes.ts";
import {
  ESCALATION_STAGES,
  type EscalationStage,
  escalationState,
  STAGE_WORKING_DAYS,
} from "./escalation.ts";
import { decisionDue } from "./timescales.ts";

export const ALERT_TYPES = {
  "decision-overdue": "Front-door decision overdue",
  "assessment-overdue": "Assessment overdue",
  "conference-overdue": "Initial conference overdue",
  "review-overdue": "Review overdue",
  "action-overdue": "Plan action overdue",
  "visit-overdue": "Child not seen within the visit interval",
  "cp-neglect-12-months": "Child protection plan for neglect open 12 months or more",
  "cin-neglect-6-months": "Child in need plan for neglect open more than 6 months",
  "repeat-plan-same-category": "Second plan under the same category",
  "re-referral": "Re-referral within 12 months",
  "no-neglect-assessment": "No neglect assessment while a plan is open",
  "not-brought": "Repeatedly not brought to appointments",
  "no-child-voice": "No child's voice in the last assessment",
  "escalation-overdue": "Professional difference not resolved in time",
} as const;
export type AlertType = keyof typeof ALERT_TYPES;

export type Alert = {
  type: AlertType;
  personId: string;
  /** One line saying what is wrong. */
  summary: string;
  /** The dated events the alert rests on. */
  evidence: string[];
  /** Where to act. */
  href: string;
  /** Since when it has been due or true. */
  since: IsoDate;
  /** Whose work it is: the allocated worker or lead professional; null for the front door's queue. */
  ownerUserId: string | null;
};

/** Local settings of the rules, with the partnership's defaults. */
export type AlertSettings = {
  /** Working days between statutory visits on a child protection plan. */
  cpVisitWorkingDays: number;
  /** Working days between visits on a child in need plan. */
  cinVisitWorkingDays: number;
  /** How many "not brought" events in the window make a pattern. */
  notBroughtThreshold: number;
  /** The window, in months, in which "not brought" events are counted. */
  notBroughtMonths: number;
  /** Months a plan may be open with no neglect assessment. */
  neglectAssessmentMonths: number;
  /** Working days each stage of a professional difference has before it is overdue. */
  escalationWorkingDays: Readonly<Record<EscalationStage, number>>;
};

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  cpVisitWorkingDays: 10,
  cinVisitWorkingDays: 20,
  notBroughtThreshold: 3,
  notBroughtMonths: 12,
  neglectAssessmentMonths: 3,
  escalationWorkingDays: STAGE_WORKING_DAYS,
};

export type SupportRequestFacts = { requestId: string; receivedOn: IsoDate; decidedOn: IsoDate | null };
export type EarlyHelpFacts = {
  earlyHelpId: string;
  startedOn: IsoDate;
  endedOn: IsoDate | null;
  leadUserId: string | null;
  reviewIntervalWeeks: number;
  reviews: IsoDate[];
  actions: { actionId: string; text: string; ownerName: string; dueOn: IsoDate; doneOn: IsoDate | null }[];
};
export type NotBroughtFacts = { eventId: string; occurredOn: IsoDate; eventType: string };
export type EscalationFacts = {
  escalationId: string;
  raisedBy: string;
  resolvedOn: IsoDate | null;
  steps: { stage: EscalationStage; startedOn: IsoDate }[];
};
export type NeglectAssessmentFacts = { completedOn: IsoDate; childVoiceRecorded: boolean };

export type ChildFacts = {
  personId: string;
  episodes: readonly Episode[];
  requests: readonly SupportRequestFacts[];
  earlyHelp: readonly EarlyHelpFacts[];
  notBrought: readonly NotBroughtFacts[];
  /** Completed neglect assessments; undefined where Hearth has no assessments to read. */
  neglectAssessments?: readonly NeglectAssessmentFacts[] | undefined;
  /** Professional differences raised about the child. */
  escalations?: readonly EscalationFacts[] | undefined;
};

const episodeHref = (f: ChildFacts, e: Episode) => `/people/${f.personId}/pathway/episodes/${e.episodeId}`;
const isOpen = (p: { start: IsoDate; end: IsoDate | null }, today: IsoDate) =>
  p.start <= today && (p.end === null || p.end > today);

/** Requests for support the front door has not decided by the end of the next working day. */
export const decisionOverdue = (f: ChildFacts, today: IsoDate): Alert[] =>
  f.requests
    .filter((r) => r.decidedOn === null && decisionDue(r.receivedOn) < today)
    .map((r) => ({
      type: "decision-overdue",
      personId: f.personId,
      summary: `Request for support received ${r.receivedOn} has no decision; it was due ${decisionDue(r.receivedOn)}`,
      evidence: [`${r.receivedOn}: request for support received`],
      href: `/pathways/requests/${r.requestId}`,
      since: decisionDue(r.receivedOn),
      ownerUserId: null,
    }));

/** Assessments not authorised within 45 working days of their start. */
export const assessmentOverdue = (f: ChildFacts, today: IsoDate): Alert[] =>
  f.episodes.flatMap((e) =>
    e.closureDate !== null
      ? []
      : e.assessments
          .filter((a) => a.authorised === null && a.due < today)
          .map((a) => ({
            type: "assessment-overdue" as const,
            personId: f.personId,
            summary: `Assessment started ${a.start} is ${workingDaysBetween(a.start, today)} working days old and not authorised (due ${a.due})`,
            evidence: [`${a.start}: assessment started`],
            href: episodeHref(f, e),
            since: a.due,
            ownerUserId: e.workerUserId,
          })),
  );

/** Section 47 enquiries with no initial conference (and none ruled out) after the 15-working-day target. */
export const conferenceOverdue = (f: ChildFacts, today: IsoDate): Alert[] =>
  f.episodes.flatMap((e) =>
    e.closureDate !== null
      ? []
      : e.section47s
          .filter((s) => s.icpc === null && !s.notRequired && s.target < today)
          .map((s) => ({
            type: "conference-overdue" as const,
            personId: f.personId,
            summary: `No initial child protection conference: strategy discussion ${s.start}, target ${s.target}`,
            evidence: [`${s.start}: strategy discussion, section 47 enquiry started`],
            href: episodeHref(f, e),
            since: s.target,
            ownerUserId: e.workerUserId,
          })),
  );

/** Review conferences (3 months, then 6) and early help reviews (at the set interval) not held on time. */
export const reviewOverdue = (f: ChildFacts, today: IsoDate): Alert[] => [
  ...f.episodes.flatMap((e) =>
    e.cpPlans
      .filter((p) => isOpen(p, today) && p.nextReviewDue < today)
      .map((p) => ({
        type: "review-overdue" as const,
        personId: f.personId,
        summary: `Child protection review conference was due ${p.nextReviewDue}`,
        evidence: [
          `${p.start}: child protection plan started`,
          ...p.reviews.map((r) => `${r}: review conference`),
        ],
        href: episodeHref(f, e),
        since: p.nextReviewDue,
        ownerUserId: e.workerUserId,
      })),
  ),
  ...f.earlyHelp
    .filter((h) => h.endedOn === null)
    .flatMap((h) => {
      const last = [...h.reviews].sort().at(-1) ?? h.startedOn;
      const due = addCalendarDays(last, h.reviewIntervalWeeks * 7);
      if (due >= today) return [];
      return [
        {
          type: "review-overdue" as const,
          personId: f.personId,
          summary: `Early help review was due ${due} (every ${h.reviewIntervalWeeks} weeks)`,
          evidence: [
            `${h.startedOn}: early help started`,
            ...h.reviews.map((r) => `${r}: early help review`),
          ],
          href: `/people/${f.personId}/pathway/early-help/${h.earlyHelpId}`,
          since: due,
          ownerUserId: h.leadUserId,
        },
      ];
    }),
];

/** Early help plan actions past their due date and not done. */
export const actionOverdue = (f: ChildFacts, today: IsoDate): Alert[] =>
  f.earlyHelp
    .filter((h) => h.endedOn === null)
    .flatMap((h) =>
      h.actions
        .filter((a) => a.doneOn === null && a.dueOn < today)
        .map((a) => ({
          type: "action-overdue" as const,
          personId: f.personId,
          summary: `Action "${a.text}" (${a.ownerName}) was due ${a.dueOn}`,
          evidence: [`${a.dueOn}: action due, not recorded as done`],
          href: `/people/${f.personId}/pathway/early-help/${h.earlyHelpId}`,
          since: a.dueOn,
          ownerUserId: h.leadUserId,
        })),
    );

/** Open plans where the child was last seen (or the plan started) longer ago than the visit interval. */
export const visitOverdue = (
  f: ChildFacts,
  today: IsoDate,
  settings: AlertSettings = DEFAULT_ALERT_SETTINGS,
): Alert[] =>
  f.episodes.flatMap((e) => {
    const plans = [
      ...e.cpPlans.map((p) => ({ plan: p, kind: "child protection", days: settings.cpVisitWorkingDays })),
      ...e.cinPlans.map((p) => ({ plan: p, kind: "child in need", days: settings.cinVisitWorkingDays })),
    ];
    return plans
      .filter(({ plan }) => isOpen(plan, today))
      .flatMap(({ plan, kind, days }) => {
        const seen = plan.visits.filter((v) => v.childSeen).map((v) => v.date);
        const last = seen.sort().at(-1);
        const due = addWorkingDays(last ?? plan.start, days);
        if (due >= today) return [];
        return [
          {
            type: "visit-overdue" as const,
            personId: f.personId,
            summary: last
              ? `Child last seen ${last}; a visit was due by ${due} (every ${days} working days on a ${kind} plan)`
              : `Child not seen since the ${kind} plan started ${plan.start}; a visit was due by ${due}`,
            evidence: [
              `${plan.start}: ${kind} plan started`,
              ...plan.visits.map(
                (v) =>
                  `${v.date}: visit, child ${v.childSeen ? (v.seenAlone ? "seen alone" : "seen, not alone") : "not seen"}`,
              ),
            ],
            href: episodeHref(f, e),
            since: due,
            ownerUserId: e.workerUserId,
          },
        ];
      });
  });

/** Child protection plans under neglect (latest category) open for 12 months or more. */
export const cpNeglectLong = (f: ChildFacts, today: IsoDate): Alert[] =>
  f.episodes.flatMap((e) =>
    e.cpPlans
      .filter((p) => isOpen(p, today) && p.latestCategory === "NEG" && addMonths(p.start, 12) <= today)
      .map((p) => ({
        type: "cp-neglect-12-months" as const,
        personId: f.personId,
        summary: `On a child protection plan for neglect since ${p.start}`,
        evidence: [`${p.start}: child protection plan started, category neglect`],
        href: episodeHref(f, e),
        since: addMonths(p.start, 12),
        ownerUserId: e.workerUserId,
      })),
  );

/** Child in need plans where neglect is the need (N1 or factor 16A) open more than 6 months. */
export const cinNeglectLong = (f: ChildFacts, today: IsoDate): Alert[] =>
  f.episodes.flatMap((e) => {
    const neglect = e.primaryNeed === "N1" || e.assessments.some((a) => a.factors.includes("16A"));
    if (!neglect) return [];
    return e.cinPlans
      .filter((p) => isOpen(p, today) && addMonths(p.start, 6) < today)
      .map((p) => ({
        type: "cin-neglect-6-months" as const,
        personId: f.personId,
        summary: `On a child in need plan for neglect since ${p.start}`,
        evidence: [
          `${p.start}: child in need plan started`,
          e.primaryNeed === "N1"
            ? "Primary need N1 (abuse or neglect)"
            : "Neglect (16A) identified at assessment",
        ],
        href: episodeHref(f, e),
        since: addMonths(p.start, 6),
        ownerUserId: e.workerUserId,
      }));
  });

/** An open child protection plan under a category the child has had a plan under before. */
export const repeatPlanSameCategory = (f: ChildFacts, today: IsoDate): Alert[] => {
  const plans = f.episodes
    .flatMap((e) => e.cpPlans.map((p) => ({ e, p })))
    .sort((a, b) => (a.p.start < b.p.start ? -1 : 1));
  return plans.flatMap(({ e, p }, index) => {
    if (!isOpen(p, today)) return [];
    const earlier = plans
      .slice(0, index)
      .filter(
        ({ p: q }) =>
          q.initialCategory === p.initialCategory ||
          q.latestCategory === p.initialCategory ||
          q.latestCategory === p.latestCategory,
      );
    if (earlier.length === 0) return [];
    return [
      {
        type: "repeat-plan-same-category" as const,
        personId: f.personId,
        summary: `A further child protection plan under ${p.latestCategory}, started ${p.start}`,
        evidence: [
          ...earlier.map(
            ({ p: q }) => `${q.start} to ${q.end ?? "open"}: earlier plan, category ${q.latestCategory}`,
          ),
          `${p.start}: this plan started, category ${p.initialCategory}`,
        ],
        href: episodeHref(f, e),
        since: p.start,
        ownerUserId: e.workerUserId,
      },
    ];
  });
};

/** An open episode whose referral came within 12 months of the one before. */
export const reReferral = (f: ChildFacts, today: IsoDate): Alert[] =>
  f.episodes.flatMap((e, index) => {
    const previous = f.episodes[index - 1];
    if (!previous || e.closureDate !== null || e.referralDate > today) return [];
    if (addMonths(previous.referralDate, 12) < e.referralDate) return [];
    return [
      {
        type: "re-referral" as const,
        personId: f.personId,
        summary: `Referred again on ${e.referralDate}, within 12 months of the referral of ${previous.referralDate}`,
        evidence: [
          `${previous.referralDate}: referral${previous.closureDate ? `, closed ${previous.closureDate}` : ""}`,
          `${e.referralDate}: referral`,
        ],
        href: episodeHref(f, e),
        since: e.referralDate,
        ownerUserId: e.workerUserId,
      },
    ];
  });

/** Three or more "not brought" events in the last 12 months (both by the settings). */
export const notBroughtRepeated = (
  f: ChildFacts,
  today: IsoDate,
  settings: AlertSettings = DEFAULT_ALERT_SETTINGS,
): Alert[] => {
  const recent = f.notBrought
    .filter((n) => n.occurredOn <= today && n.occurredOn > addMonths(today, -settings.notBroughtMonths))
    .sort((a, b) => (a.occurredOn < b.occurredOn ? -1 : 1));
  if (recent.length < settings.notBroughtThreshold) return [];
  const owner = f.episodes.filter((e) => e.closureDate === null).at(-1)?.workerUserId ?? null;
  const lead = f.earlyHelp.find((h) => h.endedOn === null)?.leadUserId ?? null;
  return [
    {
      type: "not-brought",
      personId: f.personId,
      summary: `Not brought to ${recent.length} health or dental appointments in the last ${settings.notBroughtMonths} months`,
      evidence: recent.map(
        (n) => `${n.occurredOn}: not brought (${n.eventType === "not-brought-dental" ? "dental" : "health"})`,
      ),
      href: `/people/${f.personId}/chronology`,
      since: recent.at(-1)?.occurredOn ?? today,
      ownerUserId: owner ?? lead,
    },
  ];
};

/** A plan open N months with no completed neglect assessment since it started. Needs assessments. */
export const noNeglectAssessment = (
  f: ChildFacts,
  today: IsoDate,
  settings: AlertSettings = DEFAULT_ALERT_SETTINGS,
): Alert[] => {
  const assessments = f.neglectAssessments;
  if (assessments === undefined) return [];
  return f.episodes.flatMap((e) =>
    [...e.cpPlans, ...e.cinPlans]
      .filter((p) => isOpen(p, today) && addMonths(p.start, settings.neglectAssessmentMonths) <= today)
      .filter((p) => !assessments.some((a) => a.completedOn >= p.start))
      .map((p) => ({
        type: "no-neglect-assessment" as const,
        personId: f.personId,
        summary: `No neglect assessment since the plan started ${p.start}`,
        evidence: [`${p.start}: plan started`],
        href: episodeHref(f, e),
        since: addMonths(p.start, settings.neglectAssessmentMonths),
        ownerUserId: e.workerUserId,
      })),
  );
};

/** The latest completed neglect assessment has no record of the child's voice. Needs assessments. */
export const noChildVoice = (f: ChildFacts, _today: IsoDate): Alert[] => {
  const last = [...(f.neglectAssessments ?? [])]
    .sort((a, b) => (a.completedOn < b.completedOn ? -1 : 1))
    .at(-1);
  if (!last || last.childVoiceRecorded) return [];
  const owner = f.episodes.filter((e) => e.closureDate === null).at(-1)?.workerUserId ?? null;
  return [
    {
      type: "no-child-voice",
      personId: f.personId,
      summary: `The neglect assessment completed ${last.completedOn} records nothing in the child's own words`,
      evidence: [`${last.completedOn}: neglect assessment completed`],
      href: `/people/${f.personId}`,
      since: last.completedOn,
      ownerUserId: owner,
    },
  ];
};

/** A professional difference still at a stage past that stage's timescale. */
export const escalationOverdue = (
  f: ChildFacts,
  today: IsoDate,
  settings: AlertSettings = DEFAULT_ALERT_SETTINGS,
): Alert[] =>
  (f.escalations ?? []).flatMap((x) => {
    const state = escalationState(x.steps, x.resolvedOn, today, settings.escalationWorkingDays);
    if (!state?.overdue) return [];
    return [
      {
        type: "escalation-overdue" as const,
        personId: f.personId,
        summary: `A professional difference at the ${ESCALATION_STAGES[state.stage].toLowerCase()} stage was due to be resolved by ${state.dueOn}`,
        evidence: x.steps.map((s) => `${s.startedOn}: ${ESCALATION_STAGES[s.stage].toLowerCase()} stage`),
        href: `/people/${f.personId}/pathway/escalations/${x.escalationId}`,
        since: state.dueOn,
        ownerUserId: x.raisedBy,
      },
    ];
  });

/**
 * Every alert for one child today.
 * @param facts - The child's episodes, requests, early help and "not brought" events.
 * @param today - The day to judge.
 * @param settings - Local visit intervals and thresholds.
 */
export const alertsFor = (
  facts: ChildFacts,
  today: IsoDate,
  settings: AlertSettings = DEFAULT_ALERT_SETTINGS,
): Alert[] => [
  ...decisionOverdue(facts, today),
  ...assessmentOverdue(facts, today),
  ...conferenceOverdue(facts, today),
  ...reviewOverdue(facts, today),
  ...actionOverdue(facts, today),
  ...visitOverdue(facts, today, settings),
  ...cpNeglectLong(facts, today),
  ...cinNeglectLong(facts, today),
  ...repeatPlanSameCategory(facts, today),
  ...reReferral(facts, today),
  ...notBroughtRepeated(facts, today, settings),
  ...noNeglectAssessment(facts, today, settings),
  ...noChildVoice(facts, today),
  ...escalationOverdue(facts, today, settings),
];
