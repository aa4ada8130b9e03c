// SPDX-License-Identifier: MIT
/**
 * Who may do what: every named action with the roles allowed it, in one table. Route guards
 * (`requireAllowed`, src/web/guards.ts), the navigation, pages and repositories ask `can`, so a role is
 * let in, shown a link and allowed a change by the same entry. Which children a caller may see is not
 * here: that is SQL, in src/data/child-access.ts. Pure: no I/O.
 */
import type { Role } from "../organisation/codes.ts";

/** Those who work on children's cases and record on them. */
const CASEWORKERS = ["practitioner", "manager", "safeguarding-lead", "front-door"] as const;

export const POLICY = {
  /** Find people and open the records of those they may see (auditors read, never record). */
  "records.read": [...CASEWORKERS, "auditor"],
  /** Add people and record on their records: chronology, assessments, plans, households, requests. */
  "records.write": [...CASEWORKERS],
  /** The requests for support from the caller's agency, and each request's page. */
  "requests.read": [...CASEWORKERS],
  /** Decide requests for support: the front door (MASH) and the safeguarding lead. */
  "front-door.work": ["front-door", "safeguarding-lead"],
  "alerts.read": [...CASEWORKERS],
  /** Raise and take part in professional differences (escalations). */
  "escalations.take-part": [...CASEWORKERS],
  /** Sign off an assessment. */
  "assessments.sign-off": ["manager", "safeguarding-lead"],
  /** Record supervision on a child's pathway. */
  "pathway.supervise": ["manager", "safeguarding-lead"],
  /** Authorise a plan's decision. */
  "plans.authorise": ["manager"],
  /** Merge two records of one person, and undo a merge. */
  "people.merge": ["safeguarding-lead"],
  /** Indicators, their children lists, disproportionality and signal patterns. */
  "indicators.read": ["analyst", "safeguarding-lead", "manager"],
  /** The board report: read it, generate it and write its commentary. */
  "board.report": ["analyst", "safeguarding-lead"],
  "board.settings": ["administrator", "analyst", "safeguarding-lead"],
  /** The partnership's settings: levels of need, pathway timescales and retention rules. */
  "settings.manage": ["administrator", "safeguarding-lead"],
  /** The monthly list of closed records due for review, and archiving them. */
  "retention.review": ["safeguarding-lead"],
  "retention.archived": ["safeguarding-lead", "auditor"],
  /** The audit log: a record's history, and refused requests. */
  "audit.read": ["administrator", "auditor"],
  /** Upload an agency's data and review its matches. */
  "imports.run": [...CASEWORKERS, "administrator"],
  /** Users, agencies, teams and partnerships. */
  "admin.organisation": ["administrator"],
  "admin.sign-in-providers": ["administrator"],
  "admin.assessment-tools": ["administrator"],
  /** Start case audit rounds and moderate them. */
  "case-audits.lead": ["safeguarding-lead"],
  "case-audits.rounds": ["safeguarding-lead", "auditor"],
  "case-audits.results": ["safeguarding-lead", "analyst"],
  /** Add training courses and sessions, and set the partnership's training target. */
  "training.manage": ["safeguarding-lead", "administrator"],
  "training.coverage": ["safeguarding-lead", "administrator", "analyst", "manager"],
  /** Ask a child or family for feedback, and record their answers. */
  "feedback.ask": ["practitioner", "manager", "safeguarding-lead"],
  "feedback.summary": ["safeguarding-lead", "manager", "analyst"],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof POLICY;

/**
 * Whether the role may do the action; a role the action does not list is refused, and so is every role for
 * an action the table does not have (a template's misspelt name hides a link rather than failing the page).
 */
export const can = (role: Role, action: Action): boolean =>
  (POLICY[action] as readonly Role[] | undefined)?.includes(role) ?? false;
