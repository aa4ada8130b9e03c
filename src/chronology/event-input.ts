// SPDX-License-Identifier: MIT
/**
 * A chronology entry as a recorder writes it: checking it (a refusal naming the field at fault), its
 * stored columns, and the audit row's before and after of each field that changed.
 */
import { type ChangeResult, done, refused } from "../data/repository-scope.ts";
import { isIsoDate, todayInEngland } from "../kernel/calendar.ts";
import { ROLE_CODES } from "../organisation/codes.ts";
import type { EventInput } from "./chronology-types.ts";
import {
  DATE_PRECISION_CODES,
  EVENT_TYPE_CODES,
  INFORMATION_BASIS_CODES,
  NEGLECT_TYPE_CODES,
  SIGNIFICANCE_CODES,
  SYSTEM_EVENT_TYPES,
  VISIBILITY_CODES,
} from "./codes.ts";

const MAX_TEXT = 4000;
export const MAX_REASON = 2000;

const codeIn = <T extends string>(codes: readonly T[], value: unknown): value is T =>
  typeof value === "string" && (codes as readonly string[]).includes(value);

/**
 * Checks and tidies an entry. The form checks the same things first; this is the rule the data keeps.
 * @returns The tidied input, or a refusal naming the field.
 */
export const validateEventInput = (input: EventInput): ChangeResult<EventInput> => {
  if (!codeIn(EVENT_TYPE_CODES, input.eventType) || SYSTEM_EVENT_TYPES.includes(input.eventType))
    return refused("Select the type of event", "eventType");
  if (!codeIn(DATE_PRECISION_CODES, input.datePrecision))
    return refused("Select how exactly the date is known", "datePrecision");
  if (typeof input.occurredOn !== "string" || !isIsoDate(input.occurredOn))
    return refused("The date of the event must be a real date", "occurredOn");
  if (input.occurredOn > todayInEngland())
    return refused("The date of the event must be today or in the past", "occurredOn");
  if (input.occurredOn < "1900-01-01")
    return refused("The date of the event must be after 1900", "occurredOn");
  const whatHappened = (input.whatHappened ?? "").trim();
  if (!whatHappened) return refused("Enter what happened", "whatHappened");
  if (whatHappened.length > MAX_TEXT)
    return refused(`What happened must be ${MAX_TEXT} characters or fewer`, "whatHappened");
  const impactOnChild = (input.impactOnChild ?? "").trim();
  if (!impactOnChild) return refused("Enter the impact on the child", "impactOnChild");
  if (impactOnChild.length > MAX_TEXT)
    return refused(`The impact on the child must be ${MAX_TEXT} characters or fewer`, "impactOnChild");
  const actionTaken = (input.actionTaken ?? "").trim();
  if (actionTaken.length > MAX_TEXT)
    return refused(`The action taken must be ${MAX_TEXT} characters or fewer`, "actionTaken");
  if (!codeIn(SIGNIFICANCE_CODES, input.significance))
    return refused("Select the significance", "significance");
  const neglectTypes = input.neglectTypes ?? [];
  if (!Array.isArray(neglectTypes) || !neglectTypes.every((code) => codeIn(NEGLECT_TYPE_CODES, code)))
    return refused("Select neglect types from the list", "neglectTypes");
  if (!codeIn(INFORMATION_BASIS_CODES, input.informationBasis))
    return refused(
      "Select whether this was observed, reported or a professional opinion",
      "informationBasis",
    );
  if (!codeIn(VISIBILITY_CODES, input.visibility))
    return refused("Select who may see this entry", "visibility");
  const roles = input.restrictedToRoles ?? [];
  if (!Array.isArray(roles) || !roles.every((role) => codeIn(ROLE_CODES, role)))
    return refused("Select roles from the list", "restrictedToRoles");
  if (input.visibility === "restricted" && roles.length === 0)
    return refused("Select the roles that may see this restricted entry", "restrictedToRoles");
  return done({
    eventType: input.eventType,
    occurredOn: input.occurredOn,
    datePrecision: input.datePrecision,
    whatHappened,
    impactOnChild,
    actionTaken: actionTaken || null,
    significance: input.significance,
    neglectTypes: [...new Set(neglectTypes)],
    informationBasis: input.informationBasis,
    visibility: input.visibility,
    restrictedToRoles: input.visibility === "restricted" ? [...new Set(roles)] : [],
  });
};

export const columnsOf = (value: EventInput) => ({
  occurred_on: value.occurredOn,
  date_precision: value.datePrecision,
  event_type: value.eventType,
  what_happened: value.whatHappened,
  impact_on_child: value.impactOnChild,
  action_taken: value.actionTaken,
  significance: value.significance,
  neglect_types: value.neglectTypes,
  information_basis: value.informationBasis,
  visibility: value.visibility,
  restricted_to_roles: value.restrictedToRoles,
});
export type EventColumns = ReturnType<typeof columnsOf>;

/** The audit row's { field: [before, after] } for each field that changed. */
export const changesBetween = (before: EventColumns | null, after: EventInput) => {
  const next = columnsOf(after);
  const changes: Record<string, [unknown, unknown]> = {};
  for (const [key, value] of Object.entries(next)) {
    const old = before ? before[key as keyof EventColumns] : null;
    if (JSON.stringify(old) !== JSON.stringify(value)) changes[key] = [old, value];
  }
  return changes;
};
