// SPDX-License-Identifier: MIT
/**
 * Submitting an assessment and a manager's decision on it: sign-off, which stores the snapshot of results
 * and adds an entry to the child's chronology, or return to the author with a reason. The steps that work
 * on one child's assessment inside an open transaction are shared with family assessments, which submit
 * and decide on every child's assessment together.
 */

import type { NeglectType } from "../chronology/codes.ts";
import type { AccessContext } from "../data/access-context.ts";
import { AreaRepository } from "../data/area-repository.ts";
import {
  type ChangeResult,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
  type Trx,
} from "../data/repository-scope.ts";
import { can } from "../kernel/policy.ts";
import { inCurrentPartnership } from "../kernel/sql.ts";
import { notifyAssessmentSubmitted } from "../notifications/casework.ts";
import { notify } from "../notifications/notify.ts";
import { flagsOf, readHistory } from "./assessment-history.ts";
import {
  editRefusal,
  type LoadedRow,
  loadAssessment,
  loadEditable,
  readAnswers,
  toAnswers,
} from "./assessment-records.ts";
import {
  ageBandOn,
  computeResults,
  isOverride,
  type Judgement,
  type LevelSuggestion,
  pointLabel,
  suggestLevel,
} from "./engine.ts";

/** A manager's decision on a submitted assessment, with their comments or reason for returning it. */
export type Decision = { decision: "sign-off" | "return"; comments: string };

/**
 * Checks, before anything is read, that the caller may decide on submitted assessments and gave the
 * comments (or reason) a decision needs.
 * @returns The caller, or the refusal.
 */
export const checkDecision = (
  ctx: AccessContext | undefined,
  input: Decision,
): ChangeResult<AccessContext> => {
  if (!ctx || !can(ctx.role, "assessments.sign-off"))
    return refused("Only a manager or safeguarding lead can sign off an assessment");
  if (input.comments.trim() === "")
    return input.decision === "return"
      ? refused("Enter the reason you are returning the assessment", "reason")
      : refused("Enter your comments", "comments");
  return done(ctx);
};

/** Whether the caller may sign off or return this (single child's) assessment. */
export const maySignOff = (
  ctx: AccessContext | undefined,
  row: {
    status: string;
    submitted_by: string | null;
    started_by: string;
    family_assessment_id?: string | null;
  },
): boolean => {
  return (
    !!ctx &&
    !row.family_assessment_id &&
    can(ctx.role, "assessments.sign-off") &&
    row.status === "submitted" &&
    row.submitted_by !== ctx.userId &&
    row.started_by !== ctx.userId
  );
};

/** Submits one draft inside an open transaction (see {@link AssessmentSignOffRepository.submit}). */
export const submitDraft = async (
  scope: RepositoryScope,
  trx: Trx,
  ctx: AccessContext,
  row: LoadedRow,
  summary: string | null,
): Promise<ChangeResult<null>> => {
  const assessmentId = row.assessment_id;
  const answers = toAnswers(await readAnswers(trx, [assessmentId]));
  const judgements = row.judgements as Record<string, Judgement>;
  const results = computeResults(
    row.tool,
    ageBandOn(row.date_of_birth, row.assessed_on),
    answers,
    judgements,
  );
  if (results.unanswered.length > 0)
    return refused(
      `Answer every question, or choose "not known": ${results.unanswered.length} still to answer`,
      "answers",
    );
  if (results.unconfirmed.length > 0) {
    const titles = results.domains
      .filter((d) => results.unconfirmed.includes(d.domainId))
      .map((d) => d.title);
    return refused(`Confirm the grade for ${titles.join(", ")}`, "answers");
  }
  const unexplained = results.domains.filter(
    (d) => isOverride(d, d.confirmed ?? null) && !(judgements[d.domainId]?.reason ?? "").trim(),
  );
  if (unexplained.length > 0)
    return refused(
      `Give the reason for the grade of ${unexplained.map((d) => d.title).join(", ")}`,
      "answers",
    );
  const history = await readHistory(trx, row.person_id, row.tool_id, {
    assessedOn: row.assessed_on,
    results,
  });
  const flags = flagsOf(history.domains);
  const level = suggestLevel(row.tool, results, flags);
  const snapshot = {
    band: results.band,
    domains: results.domains.map((d) => ({
      domainId: d.domainId,
      title: d.title,
      value: d.value ?? null,
      label: d.kind === "count" ? String(d.value) : pointLabel(d.scale, d.value),
      meaning: d.meaning ?? null,
      computed: d.computed.value ?? null,
      overrideReason: d.overrideReason ?? null,
    })),
    level,
    flags: [...flags],
  };
  await trx
    .updateTable("assessments")
    .set({
      status: "submitted",
      results: JSON.stringify(snapshot),
      summary,
      submitted_at: new Date(),
      submitted_by: ctx.userId,
      updated_at: new Date(),
    })
    .where(inCurrentPartnership("partnership_id"))
    .where("assessment_id", "=", assessmentId)
    .execute();
  await scope.audit(trx, {
    action: "submit",
    recordType: "assessment",
    recordId: assessmentId,
    details: {
      suggested_level: level.level?.code ?? null,
      rules_fired: level.fired.map((f) => f.ruleId),
    },
  });
  await notifyAssessmentSubmitted(trx, ctx, {
    assessmentId,
    personId: row.person_id,
    agencyId: row.agency_id,
  });
  return done(null);
};

/** Signs off or returns one submitted assessment inside an open transaction (see {@link AssessmentSignOffRepository.signOff}). */
export const decideSubmitted = async (
  scope: RepositoryScope,
  trx: Trx,
  ctx: AccessContext,
  row: LoadedRow,
  input: Decision,
  options: { notifyReturn: boolean },
): Promise<ChangeResult<{ eventId: string | null }>> => {
  const assessmentId = row.assessment_id;
  if (row.status !== "submitted") return refused("This assessment is not waiting for sign-off");
  if (row.submitted_by === ctx.userId || row.started_by === ctx.userId)
    return refused("Someone other than the person who wrote it must sign it off or return it");
  if (input.decision === "return") {
    // Back to a draft the author can change and submit again; the reason stays on it until then.
    await trx
      .updateTable("assessments")
      .set({ status: "draft", returned_comments: input.comments, results: null, updated_at: new Date() })
      .where(inCurrentPartnership("partnership_id"))
      .where("assessment_id", "=", assessmentId)
      .execute();
    await scope.audit(trx, {
      action: "return",
      recordType: "assessment",
      recordId: assessmentId,
      reason: input.comments,
    });
    if (options.notifyReturn)
      await notify(trx, ctx.partnershipId, {
        kind: "message",
        recipients: [row.submitted_by, row.started_by],
        subject: `${row.tool_name} returned to you`,
        body: `Your manager returned the ${row.tool_name} for changes. Their reason is on the assessment: change it and submit it again.`,
        link: `/assessments/${assessmentId}`,
        personId: row.person_id,
        actorUserId: ctx.userId,
      });
    return done({ eventId: null });
  }
  const snapshot = row.results as {
    domains: { title: string; label: string; meaning: string | null }[];
    level: LevelSuggestion;
  };
  const concern = snapshot.domains.filter((d) => d.meaning === "unmet" || d.meaning === "serious");
  const partly = snapshot.domains.filter((d) => d.meaning === "partly");
  const tool = row.tool;
  const concernIds = new Set(
    concern.map((c) => tool.sections.flatMap((s) => s.domains).find((d) => d.title === c.title)?.id),
  );
  const neglectTypes = new Set<NeglectType>();
  for (const domain of tool.sections.flatMap((s) => s.domains)) {
    if (!concernIds.has(domain.id)) continue;
    for (const [type, weight] of Object.entries(domain.neglect_types ?? {}))
      if (weight) neglectTypes.add(type as NeglectType);
    for (const item of domain.items)
      for (const [type, weight] of Object.entries(item.neglect_types ?? {}))
        if (weight) neglectTypes.add(type as NeglectType);
  }
  const impact =
    concern.length > 0
      ? `Areas where the child's needs are often not met: ${concern.map((d) => `${d.title} (${d.label})`).join("; ")}.`
      : partly.length > 0
        ? `Needs met only some of the time in: ${partly.map((d) => `${d.title} (${d.label})`).join("; ")}.`
        : "The assessment found the child's needs met in every area assessed.";
  const eventId = crypto.randomUUID();
  await trx
    .insertInto("chronology_events")
    .values({
      partnership_id: ctx.partnershipId,
      event_id: eventId,
      person_id: row.person_id,
      occurred_on: row.assessed_on,
      date_precision: "day",
      event_type: "neglect-assessment",
      source_agency_id: row.agency_id,
      recorded_by: ctx.userId,
      what_happened: `${row.tool_name} (version ${row.version}) completed and signed off. Suggested level of need: ${snapshot.level.level?.name ?? "none"}.`,
      impact_on_child: impact,
      action_taken: `Manager's sign-off: ${input.comments}`.slice(0, 4000),
      significance: concern.length > 0 ? "high" : partly.length > 0 ? "medium" : "low",
      neglect_types: [...neglectTypes],
      information_basis: "opinion",
    })
    .execute();
  await trx
    .updateTable("assessments")
    .set({
      status: "signed-off",
      signed_off_at: new Date(),
      signed_off_by: ctx.userId,
      sign_off_comments: input.comments,
      chronology_event_id: eventId,
      updated_at: new Date(),
    })
    .where(inCurrentPartnership("partnership_id"))
    .where("assessment_id", "=", assessmentId)
    .execute();
  await scope.audit(trx, {
    action: "sign-off",
    recordType: "assessment",
    recordId: assessmentId,
    reason: input.comments,
    details: { chronology_event_id: eventId },
  });
  return done({ eventId });
};

/** Submitting one child's assessment and signing it off or returning it. */
export class AssessmentSignOffRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof AssessmentSignOffRepository, MethodAccess> = {
    submit: "guarded",
    signOff: "guarded",
  };

  /**
   * Submits a complete draft for sign-off, storing its results and the suggested level with its reasons.
   * Refused, naming what is missing, while items are unanswered or grades unconfirmed.
   */
  submit(assessmentId: string, summary: string | null): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("Assessment not found"));
    return this.scope.run(async (trx) => {
      const loaded = await loadEditable(this.scope, trx, assessmentId);
      if (!loaded.ok) return editRefusal(loaded);
      if (loaded.row.family_assessment_id)
        return refused("This assessment is part of a family assessment: submit it from the family's page");
      return submitDraft(this.scope, trx, ctx, loaded.row, summary);
    });
  }

  /**
   * A manager's (or safeguarding lead's) decision on a submitted assessment: sign it off, which adds it
   * to the child's chronology, or return it to the practitioner with comments.
   */
  signOff(assessmentId: string, input: Decision): Promise<ChangeResult<{ eventId: string | null }>> {
    const checked = checkDecision(this.ctx, input);
    if (!checked.ok) return Promise.resolve(checked);
    const ctx = checked.value;
    return this.scope.run(async (trx) => {
      const row = await loadAssessment(trx, this.ctx, assessmentId);
      if (!row) return refused("Assessment not found");
      if (row.family_assessment_id)
        return refused("This assessment is part of a family assessment: sign it off from the family's page");
      return decideSubmitted(this.scope, trx, ctx, row, input, { notifyReturn: true });
    });
  }
}
