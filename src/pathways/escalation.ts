// SPDX-License-Identifier: MIT
/**
 * Resolving professional differences: a disagreement about a child's plan moves through stages
 * (practitioners, their managers, the safeguarding leads, the partnership) with a timescale at each,
 * until it is resolved and its outcome kept. Pure: the stage and its due date come from the steps.
 */
import { addWorkingDays, type IsoDate } from "../kernel/calendar.ts";

export const ESCALATION_STAGES = {
  practitioner: "Practitioner to practitioner",
  manager: "Manager to manager",
  "safeguarding-lead": "Safeguarding leads",
  partnership: "Partnership (independent scrutiny)",
} as const;
export type EscalationStage = keyof typeof ESCALATION_STAGES;
export const ESCALATION_STAGE_ORDER: EscalationStage[] = [
  "practitioner",
  "manager",
  "safeguarding-lead",
  "partnership",
];

/** Working days each stage has to resolve the difference before it moves on (local protocol defaults). */
export const STAGE_WORKING_DAYS: Record<EscalationStage, number> = {
  practitioner: 5,
  manager: 5,
  "safeguarding-lead": 10,
  partnership: 20,
};

export type EscalationState = {
  stage: EscalationStage;
  stageStartedOn: IsoDate;
  dueOn: IsoDate;
  next: EscalationStage | null;
  overdue: boolean;
};

/**
 * @param steps - The stages reached so far, each with its start.
 * @param resolvedOn - When it was resolved, if it was.
 * @param today - Today.
 * @param stageWorkingDays - The partnership's timescale at each stage (its settings), or the defaults.
 */
export const escalationState = (
  steps: readonly { stage: EscalationStage; startedOn: IsoDate }[],
  resolvedOn: IsoDate | null,
  today: IsoDate,
  stageWorkingDays: Readonly<Record<EscalationStage, number>> = STAGE_WORKING_DAYS,
): EscalationState | null => {
  const current = [...steps]
    .sort((a, b) => ESCALATION_STAGE_ORDER.indexOf(a.stage) - ESCALATION_STAGE_ORDER.indexOf(b.stage))
    .at(-1);
  if (!current) return null;
  const dueOn = addWorkingDays(current.startedOn, stageWorkingDays[current.stage]);
  const index = ESCALATION_STAGE_ORDER.indexOf(current.stage);
  return {
    stage: current.stage,
    stageStartedOn: current.startedOn,
    dueOn,
    next: ESCALATION_STAGE_ORDER[index + 1] ?? null,
    overdue: resolvedOn === null && dueOn < today,
  };
};
