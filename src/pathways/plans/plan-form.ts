// SPDX-License-Identifier: MIT
/**
 * The plan form without JavaScript: a fixed number of outcome and action rows (blank rows are ignored),
 * filled from a stored version, and read back into a plan's content with every problem collected so one
 * submit shows them all. No I/O.
 */
import { todayInEngland } from "../../kernel/calendar.ts";
import { dateInputValues, readDateInput } from "../../web/dates.ts";
import type { FormErrors } from "../../web/forms.ts";
import { addError } from "../../web/forms.ts";
import { type Body, id, str } from "./plan-route-helpers.ts";
import {
  type ActionInput,
  checkPlanContent,
  MAX_ACTIONS,
  MAX_OUTCOMES,
  type OutcomeInput,
  type PlanContentInput,
} from "./plan-rules.ts";

type StoredContent = {
  version: { summary: string };
  outcomes: { outcome_id: string; description: string }[];
  actions: {
    action_id: string;
    outcome_id: string | null;
    description: string;
    owner_user_id: string | null;
    owner_agency_id: string | null;
    owner_name: string | null;
    due_on: string;
  }[];
};

/** The form's values for a stored version: its rows first, then blank rows to add more. */
export const valuesFromPlan = (plan: StoredContent): Body => {
  const values: Body = { summary: plan.version.summary };
  plan.outcomes.forEach((o, i) => {
    values[`outcome-${i + 1}-id`] = o.outcome_id;
    values[`outcome-${i + 1}-description`] = o.description;
  });
  plan.actions.forEach((a, i) => {
    const n = i + 1;
    const outcomeRow = plan.outcomes.findIndex((o) => o.outcome_id === a.outcome_id);
    Object.assign(values, {
      [`action-${n}-id`]: a.action_id,
      [`action-${n}-description`]: a.description,
      [`action-${n}-outcome`]: outcomeRow >= 0 ? String(outcomeRow + 1) : "",
      [`action-${n}-owner`]: a.owner_user_id ?? "",
      [`action-${n}-ownerName`]: a.owner_name ?? "",
      [`action-${n}-agency`]: a.owner_agency_id ?? "",
      ...dateInputValues(`action-${n}-due`, a.due_on),
    });
  });
  return values;
};

/** How many rows the form shows: those filled, and a few blank ones, within the limits. */
export const rowCounts = (values: Body) => {
  let outcomes = 0;
  let actions = 0;
  for (let n = 1; n <= MAX_OUTCOMES; n += 1) if (str(values, `outcome-${n}-description`).trim()) outcomes = n;
  for (let n = 1; n <= MAX_ACTIONS; n += 1)
    if (str(values, `action-${n}-description`).trim() || str(values, `action-${n}-id`)) actions = n;
  return {
    outcomes: Math.min(MAX_OUTCOMES, Math.max(3, outcomes + 2)),
    actions: Math.min(MAX_ACTIONS, Math.max(4, actions + 3)),
  };
};

/**
 * Reads the plan form's rows, dropping blank ones, and collects every problem (dates, lengths and the
 * plan rules) into `errors`, so one submit shows them all.
 */
export const readPlanForm = (values: Body, errors: FormErrors, isFirstVersion: boolean): PlanContentInput => {
  const content = readPlanRows(values, errors);
  for (const problem of checkPlanContent(content, isFirstVersion, todayInEngland()))
    addError(errors, problem.field, problem.message);
  return content;
};

const readPlanRows = (values: Body, errors: FormErrors): PlanContentInput => {
  const outcomes: OutcomeInput[] = [];
  const outcomeIndexBySlot = new Map<number, number>();
  for (let n = 1; n <= MAX_OUTCOMES; n += 1) {
    const description = str(values, `outcome-${n}-description`).trim();
    if (!description) continue;
    if (description.length > 2000)
      addError(errors, `outcome-${n}-description`, "An outcome is 2000 characters at most");
    outcomeIndexBySlot.set(n, outcomes.length);
    outcomes.push({ outcomeId: id(str(values, `outcome-${n}-id`)), description });
  }
  const actions: ActionInput[] = [];
  for (let n = 1; n <= MAX_ACTIONS; n += 1) {
    const description = str(values, `action-${n}-description`).trim();
    const ownerUserId = id(str(values, `action-${n}-owner`));
    const ownerName = str(values, `action-${n}-ownerName`).trim() || null;
    const ownerAgencyId = id(str(values, `action-${n}-agency`));
    const dateParts = ["day", "month", "year"].some((p) => str(values, `action-${n}-due-${p}`).trim());
    if (!description && !ownerUserId && !ownerName && !dateParts) continue;
    const due = readDateInput(values, `action-${n}-due`, `date action ${n} is due`, { required: true });
    if (!due.ok) addError(errors, `action-${n}-due`, due.message);
    if (description.length > 2000)
      addError(errors, `action-${n}-description`, "An action is 2000 characters at most");
    if ((ownerName ?? "").length > 200)
      addError(errors, `action-${n}-ownerName`, "A name is 200 characters at most");
    const outcomeSlot = Number(str(values, `action-${n}-outcome`));
    actions.push({
      actionId: id(str(values, `action-${n}-id`)),
      row: n,
      outcomeIndex: outcomeSlot > 0 ? (outcomeIndexBySlot.get(outcomeSlot) ?? -1) : null,
      description,
      ownerUserId,
      ownerAgencyId,
      ownerName,
      // A date error is reported above; "due" stays set so the rules do not report it twice.
      dueOn: due.ok ? due.value : "9999-12-31",
    });
  }
  return {
    summary: str(values, "summary").trim(),
    changeReason: str(values, "changeReason").trim() || null,
    outcomes,
    actions,
  };
};
