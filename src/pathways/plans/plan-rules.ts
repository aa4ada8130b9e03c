// SPDX-License-Identifier: MIT
/**
 * Pure rules for plans: what a plan version must contain, which ids carry over from the version before,
 * who is told about an action, where each action stands, and who may authorise. No I/O, so each rule is
 * tested on its own (plan-rules.test.ts) and the repository applies the same rules in its transaction.
 */
import { addCalendarDays, type IsoDate } from "../../kernel/calendar.ts";
import type { CaseworkRecordType, PlanProgress } from "./codes.ts";

/** The most outcome and action rows one plan version holds (and the form offers). */
export const MAX_OUTCOMES = 8;
export const MAX_ACTIONS = 12;

export type OutcomeInput = { outcomeId: string | null; description: string };
export type ActionInput = {
  actionId: string | null;
  /** The form row it came from, for messages (blank rows are dropped before the rules run). */
  row?: number;
  /** Which outcome (by its position in the submitted list, from 0) the action serves, if any. */
  outcomeIndex: number | null;
  description: string;
  ownerUserId: string | null;
  ownerAgencyId: string | null;
  ownerName: string | null;
  dueOn: IsoDate | null;
};
export type PlanContentInput = {
  summary: string;
  changeReason: string | null;
  outcomes: OutcomeInput[];
  actions: ActionInput[];
};

export type FieldProblem = { field: string; message: string };

/**
 * What is wrong with a plan version's content, every problem at once (one submit shows them all).
 * @param input - The submitted content, blank rows already dropped.
 * @param isFirstVersion - A later version needs a reason for the change.
 * @param today - For refusing due dates far in the past on new actions.
 */
export const checkPlanContent = (
  input: PlanContentInput,
  isFirstVersion: boolean,
  today: IsoDate,
): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  if (input.summary.trim() === "")
    problems.push({ field: "summary", message: "Enter what needs to change for the child" });
  else if (input.summary.length > 8000)
    problems.push({ field: "summary", message: "What needs to change is 8000 characters at most" });
  if (!isFirstVersion && (input.changeReason ?? "").trim() === "")
    problems.push({ field: "changeReason", message: "Enter why the plan is changing" });
  else if ((input.changeReason ?? "").length > 2000)
    problems.push({ field: "changeReason", message: "The reason is 2000 characters at most" });
  if (input.outcomes.length === 0)
    problems.push({ field: "outcome-1-description", message: "Enter at least one outcome for the child" });
  if (input.outcomes.length > MAX_OUTCOMES)
    problems.push({ field: "outcome-1-description", message: `A plan has ${MAX_OUTCOMES} outcomes at most` });
  input.outcomes.forEach((outcome, index) => {
    if (outcome.description.length > 2000)
      problems.push({
        field: `outcome-${index + 1}-description`,
        message: "An outcome is 2000 characters at most",
      });
  });
  if (input.actions.length > MAX_ACTIONS)
    problems.push({ field: "action-1-description", message: `A plan has ${MAX_ACTIONS} actions at most` });
  input.actions.forEach((action, index) => {
    const n = action.row ?? index + 1;
    if (action.description.trim() === "")
      problems.push({ field: `action-${n}-description`, message: `Enter what action ${n} is` });
    else if (action.description.length > 2000)
      problems.push({ field: `action-${n}-description`, message: "An action is 2000 characters at most" });
    if ((action.ownerName ?? "").length > 200)
      problems.push({ field: `action-${n}-ownerName`, message: "A name is 200 characters at most" });
    if (action.ownerUserId === null && (action.ownerName ?? "").trim() === "")
      problems.push({
        field: `action-${n}-owner`,
        message: `Select who owns action ${n}, or enter the name of the person who does`,
      });
    if (action.dueOn === null)
      problems.push({ field: `action-${n}-due`, message: `Enter the date action ${n} is due` });
    else if (action.actionId === null && action.dueOn < today)
      problems.push({ field: `action-${n}-due`, message: `A new action's due date must be today or later` });
    if (
      action.outcomeIndex !== null &&
      (action.outcomeIndex < 0 || action.outcomeIndex >= input.outcomes.length)
    )
      problems.push({
        field: `action-${n}-outcome`,
        message: `Select an outcome of this plan for action ${n}`,
      });
  });
  return problems;
};

/**
 * An outcome or action keeps its id across versions only if it was in the version before; anything
 * else (a new row, or an id typed into the form) gets a new id, so a form cannot graft onto other plans.
 */
export const carriedId = (submitted: string | null, previous: ReadonlySet<string>, fresh: () => string) =>
  submitted !== null && previous.has(submitted) ? submitted : fresh();

/** An action as stored, as far as the rules need it. */
export type StoredAction = {
  actionId: string;
  ownerUserId: string | null;
  description: string;
  dueOn: IsoDate;
};

/**
 * The users to tell that an action is theirs: owners of new actions, and new owners of existing ones.
 * An unchanged owner is not told again when the plan is re-versioned.
 */
export const newlyAssigned = (
  previous: readonly StoredAction[],
  next: readonly StoredAction[],
): { userId: string; action: StoredAction }[] => {
  const before = new Map(previous.map((a) => [a.actionId, a.ownerUserId]));
  return next
    .filter((a) => a.ownerUserId !== null && before.get(a.actionId) !== a.ownerUserId)
    .map((a) => ({ userId: a.ownerUserId as string, action: a }));
};

export const ACTION_STATES = {
  done: "Done",
  overdue: "Overdue",
  "due-soon": "Due soon",
  open: "Open",
} as const;
export type ActionState = keyof typeof ACTION_STATES;

/** How many days ahead an action counts as due soon. */
export const DUE_SOON_DAYS = 14;

/**
 * Where an action stands: done once a review says it is achieved; otherwise overdue after its due date,
 * due soon within {@link DUE_SOON_DAYS}, else open.
 * @param latestProgress - The status the most recent review gave it, if any.
 */
export const actionState = (
  dueOn: IsoDate,
  latestProgress: PlanProgress | null,
  today: IsoDate,
): ActionState => {
  if (latestProgress === "achieved") return "done";
  if (dueOn < today) return "overdue";
  if (dueOn <= addCalendarDays(today, DUE_SOON_DAYS)) return "due-soon";
  return "open";
};

/**
 * Whether someone may decide an authorisation: the manager it was sent to, and never the author of the
 * version submitted (the database refuses it too).
 */
export const mayDecideAuthorisation = (
  callerId: string,
  authorisation: { authorUserId: string; managerUserId: string; decided: boolean },
): { ok: true } | { ok: false; message: string } => {
  if (callerId === authorisation.authorUserId)
    return { ok: false, message: "You cannot authorise your own work: a second person must" };
  if (callerId !== authorisation.managerUserId)
    return { ok: false, message: "This was sent to another manager to authorise" };
  if (authorisation.decided) return { ok: false, message: "This has already been decided" };
  return { ok: true };
};

/** What a review must record: a status for every outcome, and the child's and family's views. */
export const checkReview = (input: {
  heldOn: IsoDate | null;
  childView: string;
  familyView: string;
  outcomeIds: readonly string[];
  progress: ReadonlyMap<string, PlanProgress | null>;
  today: IsoDate;
}): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  if (input.heldOn === null) problems.push({ field: "heldOn", message: "Enter the date of the review" });
  else if (input.heldOn > input.today)
    problems.push({ field: "heldOn", message: "The date of the review must be today or in the past" });
  input.outcomeIds.forEach((id, index) => {
    if (!input.progress.get(id))
      problems.push({
        field: `outcome-${index + 1}-status`,
        message: `Select the progress towards outcome ${index + 1}`,
      });
  });
  if (input.childView.trim() === "")
    problems.push({ field: "childView", message: "Enter the child's view, in their words where you can" });
  if (input.familyView.trim() === "")
    problems.push({ field: "familyView", message: "Enter the family's view" });
  return problems;
};

/** The census events each casework record is about: an assessment's start, an enquiry, a conference. */
export const RECORD_EVENT_TYPES = {
  assessment: ["assessment-start"],
  "strategy-discussion": ["s47-start"],
  conference: ["icpc", "cp-review"],
} as const;

/** The kind of casework record a census event can have, or undefined when it has none. */
export const recordTypeOf = (eventType: string): CaseworkRecordType | undefined =>
  (Object.keys(RECORD_EVENT_TYPES) as CaseworkRecordType[]).find((type) =>
    (RECORD_EVENT_TYPES[type] as readonly string[]).includes(eventType),
  );

/** What a casework record's version must hold; a later version needs its reason. */
export const checkRecordText = (input: {
  narrative: string;
  childExperience: string;
  changeReason: string | null;
}): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  if (input.narrative.trim() === "") problems.push({ field: "narrative", message: "Enter the record" });
  else if (input.narrative.length > 20_000)
    problems.push({ field: "narrative", message: "The record is 20000 characters at most" });
  if (input.childExperience.length > 8000)
    problems.push({ field: "childExperience", message: "The child's experience is 8000 characters at most" });
  if (input.changeReason !== null) {
    if (input.changeReason.trim() === "")
      problems.push({ field: "changeReason", message: "Enter why the record is changing" });
    else if (input.changeReason.length > 2000)
      problems.push({ field: "changeReason", message: "The reason is 2000 characters at most" });
  }
  return problems;
};
