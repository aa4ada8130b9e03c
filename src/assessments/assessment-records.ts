// SPDX-License-Identifier: MIT
/**
 * What the assessment repositories share about one child's assessment: loading it as the caller may see
 * it, its answers, whether the caller may change it, and writing answers to a draft. Used by the child,
 * draft, sign-off and family repositories; none of it is reachable from `request.repo` on its own.
 */
import { type Selectable, sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import { childVisibleTo, mayRecord } from "../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type RepositoryScope,
  refused,
  type Trx,
} from "../data/repository-scope.ts";
import type { AssessmentTable } from "../db/schema.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { inCurrentPartnership, onKey } from "../kernel/sql.ts";
import { hasTrainingFor, NEEDS_TRAINING, toolRequiresTraining } from "../learning/training/training-rules.ts";
import type { ChildVoiceMethod, EvidenceSource, FamilyAgreement } from "./codes.ts";
import type { Answer, Judgement, Special } from "./engine.ts";
import type { ToolContent } from "./tool-schema.ts";

export const p = (column: string) => sql.ref(column);

export type FamilyView = {
  domains: Record<string, { agreement: FamilyAgreement | null; comment: string | null }>;
  comments: string | null;
  /** The family's own 0-10 answer to "how well are things going for your child?". */
  ownScaling: number | null;
  /** When the family saw the practitioner's scores. */
  seenScoresOn: string | null;
};

export type ChildVoice = {
  method: ChildVoiceMethod;
  words: string | null;
  /** 0 (things are very hard) to 10 (things are really good). */
  scaling: number | null;
  recordedOn: string | null;
};

export type AnswerInput = {
  nodeId: string;
  value: number | null;
  special: Special | null;
  sources: EvidenceSource[];
  evidence: string | null;
};

type AnswerRow = {
  node_id: string;
  value: string | null;
  special: Special | null;
  evidence_sources: string[];
  evidence: string | null;
};

export const toAnswers = (rows: AnswerRow[]): Record<string, Answer> =>
  Object.fromEntries(
    rows.map((row) => [
      row.node_id,
      { value: row.value === null ? null : Number(row.value), special: row.special },
    ]),
  );

/** Thrown inside a transaction to undo everything written in it and answer with a refusal instead. */
export class Rollback extends Error {
  readonly result: ChangeResult<never>;
  constructor(result: ChangeResult<never>) {
    super(result.ok ? "" : result.message);
    this.result = result;
  }
}

/** Runs a change in one transaction; a {@link Rollback} thrown inside undoes it and becomes the answer. */
export const runUndoable = async <T>(
  scope: RepositoryScope,
  work: (trx: Trx) => Promise<ChangeResult<T>>,
): Promise<ChangeResult<T>> => {
  try {
    return await scope.run(work);
  } catch (error) {
    if (error instanceof Rollback) return error.result;
    throw error;
  }
};

/** The ids of the items in a tool's shared areas (answered once for a family). */
export const sharedItemIds = (tool: ToolContent): Set<string> =>
  new Set(
    tool.sections.flatMap((s) => s.domains.filter((d) => d.shared).flatMap((d) => d.items.map((i) => i.id))),
  );

/** An assessment as loadAssessment reads it: its row, pinned tool, tool and child. */
export type LoadedRow = Selectable<AssessmentTable> & {
  tool: ToolContent;
  version: string;
  tool_id: string;
  tool_name: string;
  given_names: string;
  family_name: string;
  date_of_birth: string | null;
};

/** The assessment row and its pinned tool, if the caller may see the child. */
export const loadAssessment = async (trx: Trx, ctx: AccessContext | undefined, assessmentId: string) => {
  const row = await trx
    .selectFrom("assessments as a")
    .innerJoin("assessment_tool_versions as v", (j) => onKey(j, "v.tool_version_id", "a.tool_version_id"))
    .innerJoin("assessment_tools as t", (j) => onKey(j, "t.tool_id", "v.tool_id"))
    .innerJoin("people as c", (j) => onKey(j, "c.person_id", "a.person_id"))
    .selectAll("a")
    .select([
      "v.content",
      "v.version",
      "t.tool_id",
      "t.slug",
      "t.name as tool_name",
      "t.licence_kind",
      "t.attribution",
      "c.given_names",
      "c.family_name",
      "c.date_of_birth",
      "c.expected_date_of_birth",
    ])
    .where(inCurrentPartnership("a.partnership_id"))
    .where("a.assessment_id", "=", assessmentId)
    .where(childVisibleTo(ctx, p("a.person_id")))
    .executeTakeFirst();
  if (!row) return undefined;
  return { ...row, tool: row.content as ToolContent };
};

/**
 * The answers of these assessments. A child's assessment in a family assessment also reads the family's
 * shared answers (given once for every child), as if they were its own.
 */
export const readAnswers = async (trx: Trx, assessmentIds: string[]) => {
  if (assessmentIds.length === 0) return [];
  const own = await trx
    .selectFrom("assessment_answers")
    .select(["assessment_id", "node_id", "value", "special", "evidence_sources", "evidence", "updated_at"])
    .where(inCurrentPartnership("partnership_id"))
    .where("assessment_id", "in", assessmentIds)
    .execute();
  const shared = await trx
    .selectFrom("family_assessment_answers as f")
    .innerJoin("assessments as a", (j) => onKey(j, "a.family_assessment_id", "f.family_assessment_id"))
    .select([
      "a.assessment_id",
      "f.node_id",
      "f.value",
      "f.special",
      "f.evidence_sources",
      "f.evidence",
      "f.updated_at",
    ])
    .where(inCurrentPartnership("f.partnership_id"))
    .where("a.assessment_id", "in", assessmentIds)
    .execute();
  if (shared.length === 0) return own;
  const sharedKeys = new Set(shared.map((r) => `${r.assessment_id}/${r.node_id}`));
  return [...own.filter((r) => !sharedKeys.has(`${r.assessment_id}/${r.node_id}`)), ...shared];
};

/** Whether the caller may change this assessment: a recorder of its agency, while it is a draft. */
export const mayEditAssessment = (
  ctx: AccessContext | undefined,
  row: { agency_id: string; status: string },
): boolean => !!ctx && mayRecord(ctx.role) && row.agency_id === ctx.agencyId && row.status === "draft";

/**
 * A draft that could not be loaded for change, as the change's refusal: for access (another agency's
 * draft, see {@link loadEditable}) a denial the routes answer with 403, otherwise the caller's to correct.
 */
export const editRefusal = (loaded: { message: string; denied?: true }): ChangeResult<never> =>
  loaded.denied ? deniedAccess(loaded.message) : refused(loaded.message);

/** Loads a draft the caller may change, or says why not. */
export const loadEditable = async (scope: RepositoryScope, trx: Trx, assessmentId: string) => {
  const row = await loadAssessment(trx, scope.context, assessmentId);
  if (!row) return { ok: false as const, message: "Assessment not found" };
  if (row.status !== "draft")
    return {
      ok: false as const,
      message: "This assessment has been submitted and can no longer be changed",
    };
  // Another agency that may open the child reads the draft but never changes it: a refusal for access.
  if (!mayEditAssessment(scope.context, row))
    return {
      ok: false as const,
      message: "Only your agency's recorders can change this assessment",
      denied: true as const,
    };
  if (toolRequiresTraining(row.tool) && !(await hasTrainingFor(trx, scope.context?.userId ?? "", row.slug))) {
    await scope.recordDenial(trx, {
      recordType: "assessment",
      recordId: assessmentId,
      details: { reason: "training-required" },
    });
    return { ok: false as const, message: NEEDS_TRAINING };
  }
  return { ok: true as const, row };
};

/** Whether the caller may complete the tool: it does not require training, or theirs is recorded. */
export const trainedFor = async (trx: Trx, userId: string, toolId: string): Promise<boolean> => {
  const tool = await trx
    .selectFrom("assessment_tools as t")
    .innerJoin("assessment_tool_versions as v", (j) => onKey(j, "v.tool_id", "t.tool_id"))
    .select(["t.slug", "v.content"])
    .where(inCurrentPartnership("t.partnership_id"))
    .where("t.tool_id", "=", toolId)
    .orderBy("v.published_at", "desc")
    .executeTakeFirst();
  if (!tool || !toolRequiresTraining(tool.content)) return true;
  return hasTrainingFor(trx, userId, tool.slug);
};

/**
 * A tool that requires training is completed only by the trained (issue 15; learning/training): the
 * refusal of a caller without it, recorded as a denial with these details, or undefined for the trained.
 */
export const refuseIfUntrained = async (
  scope: RepositoryScope,
  trx: Trx,
  userId: string,
  toolId: string,
  details: Record<string, unknown>,
): Promise<ChangeResult<never> | undefined> => {
  if (await trainedFor(trx, userId, toolId)) return undefined;
  await scope.recordDenial(trx, {
    recordType: "assessment-tool",
    recordId: toolId,
    details: { reason: "training-required", ...details },
  });
  return deniedAccess(NEEDS_TRAINING, "toolId");
};

/** An assessment is dated today or in the past: the refusal of a later date, or undefined. */
export const refuseIfFutureDate = (assessedOn: string): ChangeResult<never> | undefined =>
  assessedOn > todayInEngland()
    ? refused("The date of the assessment must be today or in the past", "assessedOn")
    : undefined;

/** The newest published version of a tool, which a new assessment is pinned to. */
export const newestToolVersion = (trx: Trx, toolId: string) =>
  trx
    .selectFrom("assessment_tool_versions")
    .select(["tool_version_id", "version"])
    .where(inCurrentPartnership("partnership_id"))
    .where("tool_id", "=", toolId)
    .orderBy("published_at", "desc")
    .orderBy(sql`string_to_array(version, '.')::int[]`, "desc")
    .executeTakeFirst();

/** Marks the assessment changed now, with any columns given. */
export const touchAssessment = async (trx: Trx, assessmentId: string, set: Record<string, unknown> = {}) => {
  await trx
    .updateTable("assessments")
    .set({ ...set, updated_at: new Date() })
    .where(inCurrentPartnership("partnership_id"))
    .where("assessment_id", "=", assessmentId)
    .execute();
};

/**
 * Checks and writes answers and judgements to a draft the caller may change. In a family assessment an
 * answer to a shared area is written once, for the family.
 */
export const writeAnswers = async (
  scope: RepositoryScope,
  trx: Trx,
  ctx: AccessContext,
  row: {
    assessment_id: string;
    tool: ToolContent;
    judgements: unknown;
    family_assessment_id: string | null;
  },
  input: { answers: AnswerInput[]; judgements: Record<string, Judgement> },
): Promise<ChangeResult<null>> => {
  const assessmentId = row.assessment_id;
  const { tool } = row;
  const sharedItems = sharedItemIds(tool);
  const items = new Map(
    tool.sections.flatMap((s) => s.domains.flatMap((d) => d.items)).map((i) => [i.id, i]),
  );
  const domains = new Map(tool.sections.flatMap((s) => s.domains).map((d) => [d.id, d]));
  for (const answer of input.answers) {
    const item = items.get(answer.nodeId);
    if (!item) return refused(`Unknown item ${answer.nodeId}`);
    const scale = tool.scales.find((s) => s.id === item.scale);
    if (answer.value !== null && !scale?.points.some((pt) => pt.value === answer.value))
      return refused("Select one of the grades", `answer-${answer.nodeId}`);
    if (answer.special && !scale?.specials.includes(answer.special))
      return refused("Select one of the grades", `answer-${answer.nodeId}`);
  }
  for (const [domainId, judgement] of Object.entries(input.judgements)) {
    const domain = domains.get(domainId);
    if (domain?.aggregation.method !== "judgement") return refused(`Unknown domain ${domainId}`);
    const scale = tool.scales.find((s) => s.id === domain.scale);
    if (judgement.value !== null && !scale?.points.some((pt) => pt.value === judgement.value))
      return refused("Select one of the grades", `judgement-${domainId}`);
  }
  for (const answer of input.answers) {
    const values = {
      value: answer.value,
      special: answer.special,
      evidence_sources: answer.sources,
      evidence: answer.evidence,
      updated_at: new Date(),
      updated_by: ctx.userId,
    };
    if (row.family_assessment_id && sharedItems.has(answer.nodeId)) {
      await trx
        .insertInto("family_assessment_answers")
        .values({
          partnership_id: ctx.partnershipId,
          family_assessment_id: row.family_assessment_id,
          node_id: answer.nodeId,
          ...values,
        })
        .onConflict((oc) =>
          oc.columns(["partnership_id", "family_assessment_id", "node_id"]).doUpdateSet(values),
        )
        .execute();
      continue;
    }
    await trx
      .insertInto("assessment_answers")
      .values({
        partnership_id: ctx.partnershipId,
        assessment_id: assessmentId,
        node_id: answer.nodeId,
        ...values,
      })
      .onConflict((oc) => oc.columns(["partnership_id", "assessment_id", "node_id"]).doUpdateSet(values))
      .execute();
  }
  const judgements = { ...(row.judgements as Record<string, Judgement>), ...input.judgements };
  await touchAssessment(trx, assessmentId, { judgements: JSON.stringify(judgements) });
  await scope.audit(trx, {
    action: "update",
    recordType: "assessment",
    recordId: assessmentId,
    details: {
      answers: input.answers.map((a) => a.nodeId),
      judgements: Object.keys(input.judgements),
      ...(row.family_assessment_id ? { family_assessment_id: row.family_assessment_id } : {}),
    },
  });
  return done(null);
};
