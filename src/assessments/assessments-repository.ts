// SPDX-License-Identifier: MIT
/**
 * Neglect assessments: tool definitions as versioned data, assessments pinned to a version, answers,
 * family and child's views, sign-off, and change over time. Access follows the child-record rules
 * (../data/child-access.ts): whoever may open the child's record may read their assessments; recorders
 * of the agency that started an assessment may edit it while it is a draft; a manager or safeguarding
 * lead other than the person who submitted it signs it off. Every view and change is audited in the same
 * transaction, and signing off adds an entry to the child's chronology.
 */
import { type Selectable, sql } from "kysely";
import type { NeglectType } from "../chronology/codes.ts";
import { todayInEngland, todayInEnglandSql } from "../chronology/dates.ts";
import type { AccessContext } from "../data/access-context.ts";
import { childVisibleTo, mayOpenChildRecords, mayRecord } from "../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
  type Trx,
} from "../data/repository-scope.ts";
import type { AssessmentTable } from "../db/schema.ts";
import { hasTrainingFor, NEEDS_TRAINING, toolRequiresTraining } from "../learning/training/training-rules.ts";
import { notifyAssessmentSubmitted } from "../notifications/casework.ts";
import { notify } from "../notifications/notify.ts";
import type { AssessmentMode, ChildVoiceMethod, EvidenceSource, FamilyAgreement } from "./codes.ts";
import {
  type Answer,
  ageBandOn,
  canonicalNodeIds,
  computeResults,
  domainTrend,
  isOverride,
  type Judgement,
  type LevelSuggestion,
  pointLabel,
  type Reading,
  type Special,
  suggestLevel,
  type ToolResults,
  type Trend,
  type TrendFlag,
} from "./engine.ts";
import { installRepositoryToolsIn, publishToolVersion } from "./tool-library.ts";
import { parseToolYaml, type Scale, type ToolContent } from "./tool-schema.ts";

const p = (column: string) => sql.ref(column);
const inPartnership = (column: string) => sql<boolean>`${p(column)} = hearth_current_partnership()`;
const today = () => todayInEngland();

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

export type DomainHistory = {
  domainId: string;
  title: string;
  scale: Scale;
  readings: (Reading & { label: string })[];
  trend: Trend;
};

type AnswerRow = {
  node_id: string;
  value: string | null;
  special: Special | null;
  evidence_sources: string[];
  evidence: string | null;
};

const toAnswers = (rows: AnswerRow[]): Record<string, Answer> =>
  Object.fromEntries(
    rows.map((row) => [
      row.node_id,
      { value: row.value === null ? null : Number(row.value), special: row.special },
    ]),
  );

const flagsOf = (domains: DomainHistory[]): Set<TrendFlag> => {
  const flags = new Set<TrendFlag>();
  for (const d of domains) {
    if (d.trend.noImprovement) flags.add("no_improvement");
    if (d.trend.relapse) flags.add("relapse");
  }
  return flags;
};

/** Thrown inside a transaction to undo everything written in it and answer with a refusal instead. */
class Rollback extends Error {
  readonly result: ChangeResult<never>;
  constructor(result: ChangeResult<never>) {
    super(result.ok ? "" : result.message);
    this.result = result;
  }
}

/** The ids of the items in a tool's shared areas (answered once for a family). */
export const sharedItemIds = (tool: ToolContent): Set<string> =>
  new Set(
    tool.sections.flatMap((s) => s.domains.filter((d) => d.shared).flatMap((d) => d.items.map((i) => i.id))),
  );

/** An assessment as #load reads it: its row, pinned tool, tool and child. */
type LoadedRow = Selectable<AssessmentTable> & {
  tool: ToolContent;
  version: string;
  tool_id: string;
  tool_name: string;
  given_names: string;
  family_name: string;
  date_of_birth: string | null;
};

export class AssessmentsRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof AssessmentsRepository, never>, MethodAccess> = {
    listTools: "guarded",
    uploadTool: "guarded",
    exportToolVersion: "guarded",
    listForChild: "guarded",
    startAssessment: "guarded",
    getAssessment: "guarded",
    saveDetails: "guarded",
    saveAnswers: "guarded",
    addVisit: "guarded",
    removeVisit: "guarded",
    saveFamilyView: "guarded",
    saveChildVoice: "guarded",
    addTarget: "guarded",
    removeTarget: "guarded",
    submit: "guarded",
    signOff: "guarded",
    changeOverTime: "guarded",
    familyOptions: "guarded",
    startFamilyAssessment: "guarded",
    getFamilyAssessment: "guarded",
    saveFamilyShared: "guarded",
    saveFamilyChild: "guarded",
    saveFamilyWords: "guarded",
    submitFamily: "guarded",
    decideFamily: "guarded",
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  get #ctx(): AccessContext | undefined {
    return this.#scope.context;
  }

  #canOpen(trx: Trx, personId: string): Promise<boolean> {
    return this.#scope.canOpenRecord(trx, personId);
  }

  /** Tools as the caller may list them: administrators and those who work with children. */
  #mayListTools(ctx: AccessContext | undefined): ctx is AccessContext {
    return !!ctx && (ctx.role === "administrator" || mayOpenChildRecords(ctx.role));
  }

  /**
   * The partnership's tools with their versions, newest version first. Hearth's own tools from the
   * repository are published into the partnership the first time they are needed.
   */
  listTools() {
    const ctx = this.#ctx;
    if (!this.#mayListTools(ctx)) return Promise.resolve([]);
    return this.#scope.run(async (trx) => {
      await installRepositoryToolsIn(trx, ctx.partnershipId);
      const rows = await trx
        .selectFrom("assessment_tools as t")
        .innerJoin("assessment_tool_versions as v", (j) =>
          j.onRef("v.partnership_id", "=", "t.partnership_id").onRef("v.tool_id", "=", "t.tool_id"),
        )
        .select([
          "t.tool_id",
          "t.slug",
          "t.name",
          "t.tier",
          "t.licence_kind",
          "t.attribution",
          "t.source",
          "v.tool_version_id",
          "v.version",
          "v.published_at",
          "v.content_hash",
          sql<string>`v.content ->> 'purpose'`.as("purpose"),
        ])
        .where(inPartnership("t.partnership_id"))
        .orderBy("t.name")
        .orderBy("v.published_at", "desc")
        .execute();
      const tools = new Map<string, { tool: (typeof rows)[number]; versions: (typeof rows)[number][] }>();
      for (const row of rows) {
        const entry = tools.get(row.tool_id) ?? { tool: row, versions: [] };
        entry.versions.push(row);
        tools.set(row.tool_id, entry);
      }
      return [...tools.values()];
    });
  }

  /**
   * Publishes a tool version from an uploaded YAML file. Administrators only.
   * @param text - The file's text.
   * @returns The new version, or the problems found, each naming its path in the file.
   */
  uploadTool(
    text: string,
  ): Promise<ChangeResult<{ toolVersionId: string; name: string; version: string; unchanged: boolean }>> {
    const ctx = this.#ctx;
    if (ctx?.role !== "administrator")
      return Promise.resolve(refused("Only administrators can publish assessment tools"));
    const parsed = parseToolYaml(text);
    if (!parsed.ok) return Promise.resolve(refused(parsed.errors.join("\n"), "toolFile"));
    return this.#scope.run(async (trx) => {
      await installRepositoryToolsIn(trx, ctx.partnershipId);
      const outcome = await publishToolVersion(trx, {
        partnershipId: ctx.partnershipId,
        content: parsed.content,
        hash: parsed.hash,
        sourceText: text,
        source: "upload",
        userId: ctx.userId,
      });
      if (outcome.status === "conflict") return refused(outcome.message, "toolFile");
      if (outcome.status === "published")
        await this.#scope.audit(trx, {
          action: "publish",
          recordType: "assessment-tool-version",
          recordId: outcome.toolVersionId,
          details: { tool: parsed.content.id, version: parsed.content.version, hash: parsed.hash },
        });
      return done({
        toolVersionId: outcome.toolVersionId,
        name: parsed.content.name,
        version: parsed.content.version,
        unchanged: outcome.status === "unchanged",
      });
    });
  }

  /**
   * A tool version's source file, for an administrator to download. Licensed third-party content is
   * never exported beyond the partnership that holds the licence.
   */
  exportToolVersion(toolVersionId: string): Promise<ChangeResult<{ fileName: string; text: string }>> {
    const ctx = this.#ctx;
    if (ctx?.role !== "administrator")
      return Promise.resolve(refused("Only administrators can download tool definitions"));
    return this.#scope.run(async (trx) => {
      const row = await trx
        .selectFrom("assessment_tool_versions as v")
        .innerJoin("assessment_tools as t", (j) =>
          j.onRef("t.partnership_id", "=", "v.partnership_id").onRef("t.tool_id", "=", "v.tool_id"),
        )
        .select(["t.slug", "t.licence_kind", "v.version", "v.source_text"])
        .where(inPartnership("v.partnership_id"))
        .where("v.tool_version_id", "=", toolVersionId)
        .executeTakeFirst();
      if (!row) return refused("Tool version not found");
      if (row.licence_kind === "licensed_third_party")
        return refused("This tool is licensed content: it cannot be exported beyond this partnership");
      await this.#scope.audit(trx, {
        action: "export",
        recordType: "assessment-tool-version",
        recordId: toolVersionId,
      });
      return done({ fileName: `${row.slug}-${row.version}.yaml`, text: row.source_text });
    });
  }

  /**
   * A child's assessments and the tools that can be started, audited as a view. Undefined when the
   * caller may not open the child's record.
   */
  listForChild(personId: string) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return undefined;
      await installRepositoryToolsIn(trx, ctx.partnershipId);
      const person = await trx
        .selectFrom("people")
        .select([
          "person_id",
          "given_names",
          "family_name",
          "date_of_birth",
          "expected_date_of_birth",
          "kind",
        ])
        .where(inPartnership("partnership_id"))
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const assessments = await trx
        .selectFrom("assessments as a")
        .innerJoin("assessment_tool_versions as v", (j) =>
          j
            .onRef("v.partnership_id", "=", "a.partnership_id")
            .onRef("v.tool_version_id", "=", "a.tool_version_id"),
        )
        .innerJoin("assessment_tools as t", (j) =>
          j.onRef("t.partnership_id", "=", "v.partnership_id").onRef("t.tool_id", "=", "v.tool_id"),
        )
        .innerJoin("users as u", (j) =>
          j.onRef("u.partnership_id", "=", "a.partnership_id").onRef("u.user_id", "=", "a.started_by"),
        )
        .innerJoin("agencies as g", (j) =>
          j.onRef("g.partnership_id", "=", "a.partnership_id").onRef("g.agency_id", "=", "a.agency_id"),
        )
        .select([
          "a.assessment_id",
          "a.status",
          "a.mode",
          "a.assessed_on",
          "t.tool_id",
          "t.name as tool_name",
          "v.version",
          "u.display_name as started_by_name",
          "g.name as agency_name",
          sql<string | null>`a.results -> 'level' -> 'level' ->> 'name'`.as("suggested_level"),
        ])
        .where(inPartnership("a.partnership_id"))
        .where(sql<boolean>`a.person_id in (select person_id from hearth_person_cluster(${personId}))`)
        .orderBy("a.assessed_on", "desc")
        .orderBy("a.started_at", "desc")
        .execute();
      const tools = await trx
        .selectFrom("assessment_tools")
        .select(["tool_id", "name", "tier"])
        .where(inPartnership("partnership_id"))
        .orderBy("tier", "desc")
        .orderBy("name")
        .execute();
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "assessments" },
      });
      return { person, assessments, tools, canStart: mayRecord(ctx.role) };
    });
  }

  /**
   * Starts a draft assessment of a child with the newest version of a tool, which it stays pinned to.
   * @param personId - The child.
   * @param input - The tool, the mode, and the assessment's date.
   */
  startAssessment(
    personId: string,
    input: { toolId: string; mode: AssessmentMode; assessedOn: string },
  ): Promise<ChangeResult<{ assessmentId: string }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot start assessments"));
    if (input.assessedOn > today())
      return Promise.resolve(
        refused("The date of the assessment must be today or in the past", "assessedOn"),
      );
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return refused("You cannot see this child's record");
      const version = await trx
        .selectFrom("assessment_tool_versions")
        .select(["tool_version_id", "version"])
        .where(inPartnership("partnership_id"))
        .where("tool_id", "=", input.toolId)
        .orderBy("published_at", "desc")
        .orderBy(sql`string_to_array(version, '.')::int[]`, "desc")
        .executeTakeFirst();
      if (!version) return refused("Select a tool", "toolId");
      // A tool that requires training is completed only by the trained (issue 15; learning/training).
      if (!(await this.#trainedFor(trx, input.toolId))) {
        await this.#scope.recordDenial(trx, {
          recordType: "assessment-tool",
          recordId: input.toolId,
          details: { reason: "training-required", person_id: personId },
        });
        return deniedAccess(NEEDS_TRAINING, "toolId");
      }
      const assessmentId = crypto.randomUUID();
      await trx
        .insertInto("assessments")
        .values({
          partnership_id: ctx.partnershipId,
          assessment_id: assessmentId,
          person_id: personId,
          tool_version_id: version.tool_version_id,
          agency_id: ctx.agencyId,
          mode: input.mode,
          assessed_on: input.assessedOn,
          started_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "assessment",
        recordId: assessmentId,
        details: { person_id: personId, tool_version_id: version.tool_version_id, mode: input.mode },
      });
      return done({ assessmentId });
    });
  }

  /** The assessment row and its pinned tool, if the caller may see the child. */
  async #load(trx: Trx, assessmentId: string) {
    const row = await trx
      .selectFrom("assessments as a")
      .innerJoin("assessment_tool_versions as v", (j) =>
        j
          .onRef("v.partnership_id", "=", "a.partnership_id")
          .onRef("v.tool_version_id", "=", "a.tool_version_id"),
      )
      .innerJoin("assessment_tools as t", (j) =>
        j.onRef("t.partnership_id", "=", "v.partnership_id").onRef("t.tool_id", "=", "v.tool_id"),
      )
      .innerJoin("people as c", (j) =>
        j.onRef("c.partnership_id", "=", "a.partnership_id").onRef("c.person_id", "=", "a.person_id"),
      )
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
      .where(inPartnership("a.partnership_id"))
      .where("a.assessment_id", "=", assessmentId)
      .where(childVisibleTo(this.#ctx, p("a.person_id")))
      .executeTakeFirst();
    if (!row) return undefined;
    return { ...row, tool: row.content as ToolContent };
  }

  /**
   * The answers of these assessments. A child's assessment in a family assessment also reads the family's
   * shared answers (given once for every child), as if they were its own.
   */
  async #answers(trx: Trx, assessmentIds: string[]) {
    if (assessmentIds.length === 0) return [];
    const own = await trx
      .selectFrom("assessment_answers")
      .select(["assessment_id", "node_id", "value", "special", "evidence_sources", "evidence", "updated_at"])
      .where(inPartnership("partnership_id"))
      .where("assessment_id", "in", assessmentIds)
      .execute();
    const shared = await trx
      .selectFrom("family_assessment_answers as f")
      .innerJoin("assessments as a", (j) =>
        j
          .onRef("a.partnership_id", "=", "f.partnership_id")
          .onRef("a.family_assessment_id", "=", "f.family_assessment_id"),
      )
      .select([
        "a.assessment_id",
        "f.node_id",
        "f.value",
        "f.special",
        "f.evidence_sources",
        "f.evidence",
        "f.updated_at",
      ])
      .where(inPartnership("f.partnership_id"))
      .where("a.assessment_id", "in", assessmentIds)
      .execute();
    if (shared.length === 0) return own;
    const sharedKeys = new Set(shared.map((r) => `${r.assessment_id}/${r.node_id}`));
    return [...own.filter((r) => !sharedKeys.has(`${r.assessment_id}/${r.node_id}`)), ...shared];
  }

  /** Whether the caller may change this assessment: a recorder of its agency, while it is a draft. */
  #mayEdit(row: { agency_id: string; status: string }): boolean {
    const ctx = this.#ctx;
    return !!ctx && mayRecord(ctx.role) && row.agency_id === ctx.agencyId && row.status === "draft";
  }

  #maySignOff(row: {
    status: string;
    submitted_by: string | null;
    started_by: string;
    family_assessment_id?: string | null;
  }): boolean {
    const ctx = this.#ctx;
    return (
      !!ctx &&
      !row.family_assessment_id &&
      (ctx.role === "manager" || ctx.role === "safeguarding-lead") &&
      row.status === "submitted" &&
      row.submitted_by !== ctx.userId &&
      row.started_by !== ctx.userId
    );
  }

  /**
   * The child's readings with one tool over time (every version, through the equivalence maps), one
   * series per domain with distance travelled and flags. Drafts are left out.
   */
  async #history(
    trx: Trx,
    personId: string,
    toolId: string,
    extra?: { assessedOn: string; results: ToolResults },
  ) {
    const versions = await trx
      .selectFrom("assessment_tool_versions")
      .select(["tool_version_id", "content", "published_at"])
      .where(inPartnership("partnership_id"))
      .where("tool_id", "=", toolId)
      .orderBy("published_at")
      .execute();
    const contents = versions.map((v) => v.content as ToolContent);
    const latest = contents.at(-1);
    const canonical = canonicalNodeIds(contents);
    const entries = await trx
      .selectFrom("assessments as a")
      .innerJoin("people as c", (j) =>
        j.onRef("c.partnership_id", "=", "a.partnership_id").onRef("c.person_id", "=", "a.person_id"),
      )
      .select([
        "a.assessment_id",
        "a.tool_version_id",
        "a.assessed_on",
        "a.judgements",
        "a.status",
        "c.date_of_birth",
      ])
      .where(inPartnership("a.partnership_id"))
      .where(sql<boolean>`a.person_id in (select person_id from hearth_person_cluster(${personId}))`)
      .where("a.tool_version_id", "in", versions.length ? versions.map((v) => v.tool_version_id) : [""])
      .where("a.status", "<>", "draft")
      .orderBy("a.assessed_on")
      .execute();
    const answerRows = await this.#answers(
      trx,
      entries.map((e) => e.assessment_id),
    );
    const series = new Map<string, DomainHistory>();
    const add = (versionIndex: number, assessedOn: string, results: ToolResults, assessmentId?: string) => {
      for (const domain of results.domains) {
        const id = canonical(versionIndex, domain.domainId);
        const current = latest?.sections.flatMap((s) => s.domains).find((d) => d.id === id);
        const entry = series.get(id) ?? {
          domainId: id,
          title: current?.title ?? domain.title,
          scale: domain.scale,
          readings: [],
          trend: domainTrend([], domain.scale),
        };
        entry.readings.push({
          date: assessedOn,
          value: domain.value,
          label:
            domain.kind === "count"
              ? String(domain.value ?? "Not given")
              : pointLabel(domain.scale, domain.value),
          ...(assessmentId ? { assessmentId } : {}),
        });
        series.set(id, entry);
      }
    };
    for (const entry of entries) {
      const versionIndex = versions.findIndex((v) => v.tool_version_id === entry.tool_version_id);
      const tool = contents[versionIndex];
      if (!tool) continue;
      const answers = toAnswers(answerRows.filter((r) => r.assessment_id === entry.assessment_id));
      const results = computeResults(
        tool,
        ageBandOn(entry.date_of_birth, entry.assessed_on),
        answers,
        entry.judgements as Record<string, Judgement>,
      );
      add(versionIndex, entry.assessed_on, results, entry.assessment_id);
    }
    if (extra) add(versions.length - 1, extra.assessedOn, extra.results);
    const reviews = latest?.change.no_improvement_reviews ?? 2;
    const domains = [...series.values()].map((d) => ({
      ...d,
      readings: d.readings.sort((a, b) => a.date.localeCompare(b.date)),
      trend: domainTrend(d.readings, d.scale, reviews),
    }));
    const order = latest?.sections.flatMap((s) => s.domains.map((d) => d.id)) ?? [];
    domains.sort((a, b) => order.indexOf(a.domainId) - order.indexOf(b.domainId));
    return { domains, assessments: entries.length + (extra ? 1 : 0), reviews };
  }

  /**
   * One assessment with everything its pages show: the pinned tool, answers, visits, targets, views,
   * results per domain and the suggested level with its reasons. Audited as a view.
   * @returns Undefined if it does not exist or the caller may not see the child.
   */
  getAssessment(assessmentId: string) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const row = await this.#load(trx, assessmentId);
      if (!row) return undefined;
      const answerRows = await this.#answers(trx, [assessmentId]);
      const visits = await trx
        .selectFrom("assessment_visits")
        .select(["visit_id", "visited_on", "announced", "child_seen", "note"])
        .where(inPartnership("partnership_id"))
        .where("assessment_id", "=", assessmentId)
        .orderBy("visited_on")
        .execute();
      const targets = await trx
        .selectFrom("assessment_targets")
        .select(["target_id", "node_id", "target_value", "what_will_change", "who", "review_on"])
        .where(inPartnership("partnership_id"))
        .where("assessment_id", "=", assessmentId)
        .orderBy("review_on")
        .execute();
      const names = await trx
        .selectFrom("users")
        .select(["user_id", "display_name"])
        .where(inPartnership("partnership_id"))
        .where(
          "user_id",
          "in",
          [row.started_by, row.submitted_by, row.signed_off_by].filter((id): id is string => id !== null),
        )
        .execute();
      const nameOf = (id: string | null) => names.find((n) => n.user_id === id)?.display_name ?? null;
      const band = ageBandOn(row.date_of_birth, row.assessed_on);
      const answers = toAnswers(answerRows);
      const judgements = row.judgements as Record<string, Judgement>;
      const results = computeResults(row.tool, band, answers, judgements);
      const history = await this.#history(
        trx,
        row.person_id,
        row.tool_id,
        row.status === "draft" ? { assessedOn: row.assessed_on, results } : undefined,
      );
      const stored = row.results as { level?: LevelSuggestion } | null;
      const suggestion = stored?.level ?? suggestLevel(row.tool, results, flagsOf(history.domains));
      await this.#scope.audit(trx, { action: "view", recordType: "assessment", recordId: assessmentId });
      return {
        assessment: row,
        tool: row.tool,
        band,
        answers: Object.fromEntries(answerRows.map((r) => [r.node_id, r])),
        judgements,
        results,
        suggestion,
        history,
        visits,
        targets: targets.map((t) => ({ ...t, target_value: Number(t.target_value) })),
        familyView: row.family_view as FamilyView | null,
        childVoice: row.child_voice as ChildVoice | null,
        startedByName: nameOf(row.started_by),
        submittedByName: nameOf(row.submitted_by),
        signedOffByName: nameOf(row.signed_off_by),
        canEdit: this.#mayEdit(row),
        canSignOff: this.#maySignOff(row),
      };
    });
  }

  /** Loads a draft the caller may change, or says why not. */
  async #editable(trx: Trx, assessmentId: string) {
    const row = await this.#load(trx, assessmentId);
    if (!row) return { ok: false as const, message: "Assessment not found" };
    if (row.status !== "draft")
      return {
        ok: false as const,
        message: "This assessment has been submitted and can no longer be changed",
      };
    if (!this.#mayEdit(row))
      return { ok: false as const, message: "Only your agency's recorders can change this assessment" };
    if (toolRequiresTraining(row.tool) && !(await hasTrainingFor(trx, this.#ctx?.userId ?? "", row.slug))) {
      await this.#scope.recordDenial(trx, {
        recordType: "assessment",
        recordId: assessmentId,
        details: { reason: "training-required" },
      });
      return { ok: false as const, message: NEEDS_TRAINING };
    }
    return { ok: true as const, row };
  }

  /** Whether the caller may complete the tool: it does not require training, or theirs is recorded. */
  async #trainedFor(trx: Trx, toolId: string): Promise<boolean> {
    const tool = await trx
      .selectFrom("assessment_tools as t")
      .innerJoin("assessment_tool_versions as v", (j) =>
        j.onRef("v.partnership_id", "=", "t.partnership_id").onRef("v.tool_id", "=", "t.tool_id"),
      )
      .select(["t.slug", "v.content"])
      .where(inPartnership("t.partnership_id"))
      .where("t.tool_id", "=", toolId)
      .orderBy("v.published_at", "desc")
      .executeTakeFirst();
    if (!tool || !toolRequiresTraining(tool.content)) return true;
    return hasTrainingFor(trx, this.#ctx?.userId ?? "", tool.slug);
  }

  async #touch(trx: Trx, assessmentId: string, set: Record<string, unknown> = {}) {
    await trx
      .updateTable("assessments")
      .set({ ...set, updated_at: new Date() })
      .where(inPartnership("partnership_id"))
      .where("assessment_id", "=", assessmentId)
      .execute();
  }

  /** Changes the assessment's mode, date and observation window. */
  saveDetails(
    assessmentId: string,
    input: {
      mode: AssessmentMode;
      assessedOn: string;
      observationFrom: string | null;
      observationTo: string | null;
    },
  ): Promise<ChangeResult<null>> {
    if (!this.#ctx) return Promise.resolve(refused("Assessment not found"));
    if (input.assessedOn > today())
      return Promise.resolve(
        refused("The date of the assessment must be today or in the past", "assessedOn"),
      );
    if (input.observationFrom && input.observationTo && input.observationTo < input.observationFrom)
      return Promise.resolve(
        refused("The end of the observation period must be after its start", "observationTo"),
      );
    return this.#scope.run(async (trx) => {
      const loaded = await this.#editable(trx, assessmentId);
      if (!loaded.ok) return refused(loaded.message);
      const row = loaded.row;
      await this.#touch(trx, assessmentId, {
        mode: input.mode,
        assessed_on: input.assessedOn,
        observation_from: input.observationFrom,
        observation_to: input.observationTo,
      });
      await this.#scope.audit(trx, {
        action: "update",
        recordType: "assessment",
        recordId: assessmentId,
        details: {
          mode: [row.mode, input.mode],
          assessed_on: [row.assessed_on, input.assessedOn],
          observation_from: [row.observation_from, input.observationFrom],
          observation_to: [row.observation_to, input.observationTo],
        },
      });
      return done(null);
    });
  }

  /**
   * Saves answers and domain judgements as they are, complete or not: a draft keeps everything entered.
   * @param assessmentId - The draft.
   * @param input - Item answers and confirmed domain grades (with a reason where they differ from the suggestion).
   */
  saveAnswers(
    assessmentId: string,
    input: { answers: AnswerInput[]; judgements: Record<string, Judgement> },
  ): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("Assessment not found"));
    return this.#scope.run(async (trx) => {
      const loaded = await this.#editable(trx, assessmentId);
      if (!loaded.ok) return refused(loaded.message);
      return this.#writeAnswers(trx, ctx, loaded.row, input);
    });
  }

  /**
   * Checks and writes answers and judgements to a draft the caller may change. In a family assessment an
   * answer to a shared area is written once, for the family.
   */
  async #writeAnswers(
    trx: Trx,
    ctx: AccessContext,
    row: {
      assessment_id: string;
      tool: ToolContent;
      judgements: unknown;
      family_assessment_id: string | null;
    },
    input: { answers: AnswerInput[]; judgements: Record<string, Judgement> },
  ): Promise<ChangeResult<null>> {
    const assessmentId = row.assessment_id;
    const { tool } = row;
    const sharedItems = new Set(
      tool.sections.flatMap((s) =>
        s.domains.filter((d) => d.shared).flatMap((d) => d.items.map((i) => i.id)),
      ),
    );
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
    await this.#touch(trx, assessmentId, { judgements: JSON.stringify(judgements) });
    await this.#scope.audit(trx, {
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
  }

  /** Adds a visit to the observation record. */
  addVisit(
    assessmentId: string,
    input: { visitedOn: string; announced: boolean; childSeen: boolean; note: string | null },
  ): Promise<ChangeResult<{ visitId: string }>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("Assessment not found"));
    if (input.visitedOn > today())
      return Promise.resolve(refused("The date of the visit must be today or in the past", "visitedOn"));
    return this.#scope.run(async (trx) => {
      const loaded = await this.#editable(trx, assessmentId);
      if (!loaded.ok) return refused(loaded.message);
      const visitId = crypto.randomUUID();
      await trx
        .insertInto("assessment_visits")
        .values({
          partnership_id: ctx.partnershipId,
          visit_id: visitId,
          assessment_id: assessmentId,
          visited_on: input.visitedOn,
          announced: input.announced,
          child_seen: input.childSeen,
          note: input.note,
          recorded_by: ctx.userId,
        })
        .execute();
      await this.#touch(trx, assessmentId);
      await this.#scope.audit(trx, {
        action: "add-visit",
        recordType: "assessment",
        recordId: assessmentId,
        details: { visit_id: visitId, ...input },
      });
      return done({ visitId });
    });
  }

  /** Removes a visit recorded in error. */
  removeVisit(assessmentId: string, visitId: string): Promise<ChangeResult<null>> {
    if (!this.#ctx) return Promise.resolve(refused("Assessment not found"));
    return this.#scope.run(async (trx) => {
      const loaded = await this.#editable(trx, assessmentId);
      if (!loaded.ok) return refused(loaded.message);
      const result = await trx
        .deleteFrom("assessment_visits")
        .where(inPartnership("partnership_id"))
        .where("assessment_id", "=", assessmentId)
        .where("visit_id", "=", visitId)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) !== 1) return refused("Visit not found");
      await this.#scope.audit(trx, {
        action: "remove-visit",
        recordType: "assessment",
        recordId: assessmentId,
        details: { visit_id: visitId },
      });
      return done(null);
    });
  }

  /** Saves the family's own view: agreement and comments per area, and when they saw the scores. */
  saveFamilyView(assessmentId: string, view: FamilyView): Promise<ChangeResult<null>> {
    if (!this.#ctx) return Promise.resolve(refused("Assessment not found"));
    return this.#scope.run(async (trx) => {
      const loaded = await this.#editable(trx, assessmentId);
      if (!loaded.ok) return refused(loaded.message);
      await this.#touch(trx, assessmentId, { family_view: JSON.stringify(view) });
      await this.#scope.audit(trx, {
        action: "update",
        recordType: "assessment",
        recordId: assessmentId,
        details: { family_view: "saved", seen_scores_on: view.seenScoresOn },
      });
      return done(null);
    });
  }

  /** Saves the child's voice: their words, their scaling answer, and how they were heard. */
  saveChildVoice(assessmentId: string, voice: ChildVoice): Promise<ChangeResult<null>> {
    if (!this.#ctx) return Promise.resolve(refused("Assessment not found"));
    return this.#scope.run(async (trx) => {
      const loaded = await this.#editable(trx, assessmentId);
      if (!loaded.ok) return refused(loaded.message);
      await this.#touch(trx, assessmentId, { child_voice: JSON.stringify(voice) });
      await this.#scope.audit(trx, {
        action: "update",
        recordType: "assessment",
        recordId: assessmentId,
        details: { child_voice: "saved", method: voice.method },
      });
      return done(null);
    });
  }

  /** Adds a target for an item: the grade aimed for, what will change, who helps, and the review date. */
  addTarget(
    assessmentId: string,
    input: {
      nodeId: string;
      targetValue: number;
      whatWillChange: string;
      who: string | null;
      reviewOn: string;
    },
  ): Promise<ChangeResult<{ targetId: string }>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("Assessment not found"));
    return this.#scope.run(async (trx) => {
      const loaded = await this.#editable(trx, assessmentId);
      if (!loaded.ok) return refused(loaded.message);
      const { tool } = loaded.row;
      const item = tool.sections
        .flatMap((s) => s.domains.flatMap((d) => d.items))
        .find((i) => i.id === input.nodeId);
      if (!item) return refused("Select the item this target is for", "nodeId");
      const scale = tool.scales.find((s) => s.id === item.scale);
      if (!scale?.points.some((pt) => pt.value === input.targetValue))
        return refused("Select the grade aimed for", "targetValue");
      if (input.reviewOn < loaded.row.assessed_on)
        return refused("The review date must be after the assessment", "reviewOn");
      const targetId = crypto.randomUUID();
      await trx
        .insertInto("assessment_targets")
        .values({
          partnership_id: ctx.partnershipId,
          target_id: targetId,
          assessment_id: assessmentId,
          node_id: input.nodeId,
          target_value: input.targetValue,
          what_will_change: input.whatWillChange,
          who: input.who,
          review_on: input.reviewOn,
          recorded_by: ctx.userId,
        })
        .execute();
      await this.#touch(trx, assessmentId);
      await this.#scope.audit(trx, {
        action: "add-target",
        recordType: "assessment",
        recordId: assessmentId,
        details: { target_id: targetId, ...input },
      });
      return done({ targetId });
    });
  }

  /** Removes a target from a draft. */
  removeTarget(assessmentId: string, targetId: string): Promise<ChangeResult<null>> {
    if (!this.#ctx) return Promise.resolve(refused("Assessment not found"));
    return this.#scope.run(async (trx) => {
      const loaded = await this.#editable(trx, assessmentId);
      if (!loaded.ok) return refused(loaded.message);
      const result = await trx
        .deleteFrom("assessment_targets")
        .where(inPartnership("partnership_id"))
        .where("assessment_id", "=", assessmentId)
        .where("target_id", "=", targetId)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) !== 1) return refused("Target not found");
      await this.#scope.audit(trx, {
        action: "remove-target",
        recordType: "assessment",
        recordId: assessmentId,
        details: { target_id: targetId },
      });
      return done(null);
    });
  }

  /**
   * Submits a complete draft for sign-off, storing its results and the suggested level with its reasons.
   * Refused, naming what is missing, while items are unanswered or grades unconfirmed.
   */
  submit(assessmentId: string, summary: string | null): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("Assessment not found"));
    return this.#scope.run(async (trx) => {
      const loaded = await this.#editable(trx, assessmentId);
      if (!loaded.ok) return refused(loaded.message);
      if (loaded.row.family_assessment_id)
        return refused("This assessment is part of a family assessment: submit it from the family's page");
      return this.#submitIn(trx, ctx, loaded.row, summary);
    });
  }

  /** Submits one draft inside an open transaction (see {@link submit}). */
  async #submitIn(
    trx: Trx,
    ctx: AccessContext,
    row: LoadedRow,
    summary: string | null,
  ): Promise<ChangeResult<null>> {
    const assessmentId = row.assessment_id;
    {
      const answers = toAnswers(await this.#answers(trx, [assessmentId]));
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
      const history = await this.#history(trx, row.person_id, row.tool_id, {
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
        .where(inPartnership("partnership_id"))
        .where("assessment_id", "=", assessmentId)
        .execute();
      await this.#scope.audit(trx, {
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
    }
  }

  /**
   * A manager's (or safeguarding lead's) decision on a submitted assessment: sign it off, which adds it
   * to the child's chronology, or return it to the practitioner with comments.
   */
  signOff(
    assessmentId: string,
    input: { decision: "sign-off" | "return"; comments: string },
  ): Promise<ChangeResult<{ eventId: string | null }>> {
    const ctx = this.#ctx;
    if (!ctx || (ctx.role !== "manager" && ctx.role !== "safeguarding-lead"))
      return Promise.resolve(refused("Only a manager or safeguarding lead can sign off an assessment"));
    if (input.comments.trim() === "")
      return Promise.resolve(
        input.decision === "return"
          ? refused("Enter the reason you are returning the assessment", "reason")
          : refused("Enter your comments", "comments"),
      );
    return this.#scope.run(async (trx) => {
      const row = await this.#load(trx, assessmentId);
      if (!row) return refused("Assessment not found");
      if (row.family_assessment_id)
        return refused("This assessment is part of a family assessment: sign it off from the family's page");
      return this.#decideIn(trx, ctx, row, input, { notifyReturn: true });
    });
  }

  /** Signs off or returns one submitted assessment inside an open transaction (see {@link signOff}). */
  async #decideIn(
    trx: Trx,
    ctx: AccessContext,
    row: LoadedRow,
    input: { decision: "sign-off" | "return"; comments: string },
    options: { notifyReturn: boolean },
  ): Promise<ChangeResult<{ eventId: string | null }>> {
    const assessmentId = row.assessment_id;
    {
      if (row.status !== "submitted") return refused("This assessment is not waiting for sign-off");
      if (row.submitted_by === ctx.userId || row.started_by === ctx.userId)
        return refused("Someone other than the person who wrote it must sign it off or return it");
      if (input.decision === "return") {
        // Back to a draft the author can change and submit again; the reason stays on it until then.
        await trx
          .updateTable("assessments")
          .set({ status: "draft", returned_comments: input.comments, results: null, updated_at: new Date() })
          .where(inPartnership("partnership_id"))
          .where("assessment_id", "=", assessmentId)
          .execute();
        await this.#scope.audit(trx, {
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
        .where(inPartnership("partnership_id"))
        .where("assessment_id", "=", assessmentId)
        .execute();
      await this.#scope.audit(trx, {
        action: "sign-off",
        recordType: "assessment",
        recordId: assessmentId,
        reason: input.comments,
        details: { chronology_event_id: eventId },
      });
      return done({ eventId });
    }
  }

  /**
   * A child's assessments with one tool over time, one series per domain, with distance travelled and
   * the no-improvement and relapse flags. Audited as a view. Undefined when the caller may not see the
   * child or the tool does not exist.
   */
  changeOverTime(personId: string, toolId: string) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#canOpen(trx, personId))) return undefined;
      const tool = await trx
        .selectFrom("assessment_tools")
        .select(["tool_id", "name"])
        .where(inPartnership("partnership_id"))
        .where("tool_id", "=", toolId)
        .executeTakeFirst();
      if (!tool) return undefined;
      const person = await trx
        .selectFrom("people")
        .select(["person_id", "given_names", "family_name", "date_of_birth"])
        .where(inPartnership("partnership_id"))
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const history = await this.#history(trx, personId, toolId);
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "assessment-change", tool_id: toolId },
      });
      return { person, tool, ...history };
    });
  }

  // Family assessments: one assessment of a household's children with one tool. Each child keeps an
  // ordinary assessment (own areas, voice, result, change over time); shared areas are answered once.

  /** The children the caller may assess together with this child: in a current household with them, or a brother or sister, whose record the caller may open. */
  #siblings(trx: Trx, ctx: AccessContext, personId: string) {
    return trx
      .selectFrom("people as s")
      .select(["s.person_id", "s.given_names", "s.family_name", "s.date_of_birth"])
      .where(inPartnership("s.partnership_id"))
      .where("s.kind", "=", "child")
      .where("s.merged_into_person_id", "is", null)
      .where("s.person_id", "<>", personId)
      .where(
        sql<boolean>`(exists (
          select 1 from household_members m1
            join household_members m2
              on m2.partnership_id = m1.partnership_id and m2.household_id = m1.household_id
          where m1.partnership_id = hearth_current_partnership()
            and m1.person_id = ${personId} and m2.person_id = s.person_id
            and (m1.valid_to is null or m1.valid_to >= ${todayInEnglandSql})
            and (m2.valid_to is null or m2.valid_to >= ${todayInEnglandSql})
        ) or exists (
          select 1 from relationships r
          where r.partnership_id = hearth_current_partnership()
            and r.relationship_type in ('sibling', 'half-sibling')
            and ((r.person_id = ${personId} and r.related_person_id = s.person_id)
              or (r.related_person_id = ${personId} and r.person_id = s.person_id))
            and (r.valid_to is null or r.valid_to >= ${todayInEnglandSql})
        ))`,
      )
      .where(childVisibleTo(ctx, p("s.person_id")))
      .orderBy("s.date_of_birth")
      .orderBy("s.given_names")
      .execute();
  }

  /**
   * What starting a family assessment from this child offers: the child, the brothers and sisters the
   * caller may open (no other is named or counted), and the tools. Audited as a view of the child.
   * Undefined when the caller may not open the child's record.
   */
  familyOptions(personId: string) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#scope.canOpenRecord(trx, personId, { childrenOnly: true }))) return undefined;
      await installRepositoryToolsIn(trx, ctx.partnershipId);
      const person = await trx
        .selectFrom("people")
        .select(["person_id", "given_names", "family_name", "date_of_birth"])
        .where(inPartnership("partnership_id"))
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const siblings = await this.#siblings(trx, ctx, personId);
      const tools = await trx
        .selectFrom("assessment_tools as t")
        .select([
          "t.tool_id",
          "t.name",
          "t.tier",
          sql<boolean>`exists (select 1 from assessment_tool_versions v
            where v.partnership_id = t.partnership_id and v.tool_id = t.tool_id
              and jsonb_path_exists(v.content, '$.sections[*].domains[*] ? (@.shared == true)'))`.as(
            "has_shared",
          ),
        ])
        .where(inPartnership("t.partnership_id"))
        .orderBy("t.tier", "desc")
        .orderBy("t.name")
        .execute();
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "family-assessment-start", siblings_shown: siblings.map((c) => c.person_id) },
      });
      return { person, siblings, tools, canStart: mayRecord(ctx.role) };
    });
  }

  /**
   * Starts a family assessment of a child and the brothers and sisters chosen: one draft assessment per
   * child with the newest version of the tool, linked by the family's row. Every child must be one the
   * caller may open (a child they cannot open is refused as a denial, audited, and nothing is written)
   * and in the first child's household or a brother or sister of theirs.
   */
  startFamilyAssessment(
    personId: string,
    input: { toolId: string; mode: AssessmentMode; assessedOn: string; siblingIds: string[] },
  ): Promise<ChangeResult<{ familyAssessmentId: string; assessmentIds: string[] }>> {
    const ctx = this.#ctx;
    if (!ctx || !mayRecord(ctx.role)) return Promise.resolve(refused("You cannot start assessments"));
    if (input.assessedOn > today())
      return Promise.resolve(
        refused("The date of the assessment must be today or in the past", "assessedOn"),
      );
    const siblingIds = [...new Set(input.siblingIds)].filter((id) => id !== personId);
    if (siblingIds.length === 0)
      return Promise.resolve(
        refused("Select at least one brother or sister to assess with this child", "siblingIds"),
      );
    return this.#scope.run(async (trx) => {
      if (!(await this.#scope.canOpenRecord(trx, personId, { childrenOnly: true })))
        return deniedAccess("You cannot see this child's record");
      for (const id of siblingIds) {
        if (!(await this.#scope.canOpenRecord(trx, id, { childrenOnly: true }))) {
          await this.#scope.recordDenial(trx, {
            recordType: "person",
            recordId: id,
            details: { attempted: "family-assessment", with_person_id: personId },
          });
          return deniedAccess("You can only add children whose records you may open", "siblingIds");
        }
      }
      const candidates = new Set((await this.#siblings(trx, ctx, personId)).map((c) => c.person_id));
      if (!siblingIds.every((id) => candidates.has(id)))
        return refused(
          "Only children in this child's household, or their brothers and sisters, can be assessed together",
          "siblingIds",
        );
      const version = await trx
        .selectFrom("assessment_tool_versions")
        .select(["tool_version_id", "version"])
        .where(inPartnership("partnership_id"))
        .where("tool_id", "=", input.toolId)
        .orderBy("published_at", "desc")
        .orderBy(sql`string_to_array(version, '.')::int[]`, "desc")
        .executeTakeFirst();
      if (!version) return refused("Select a tool", "toolId");
      // As for one child: a tool that requires training is completed only by the trained.
      if (!(await this.#trainedFor(trx, input.toolId))) {
        await this.#scope.recordDenial(trx, {
          recordType: "assessment-tool",
          recordId: input.toolId,
          details: { reason: "training-required", person_id: personId, family: true },
        });
        return deniedAccess(NEEDS_TRAINING, "toolId");
      }
      const familyAssessmentId = crypto.randomUUID();
      await trx
        .insertInto("family_assessments")
        .values({
          partnership_id: ctx.partnershipId,
          family_assessment_id: familyAssessmentId,
          tool_version_id: version.tool_version_id,
          agency_id: ctx.agencyId,
          mode: input.mode,
          assessed_on: input.assessedOn,
          started_by: ctx.userId,
        })
        .execute();
      const children = [personId, ...siblingIds];
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "family-assessment",
        recordId: familyAssessmentId,
        details: { people: children, tool_version_id: version.tool_version_id, mode: input.mode },
      });
      const assessmentIds: string[] = [];
      for (const childId of children) {
        const assessmentId = crypto.randomUUID();
        assessmentIds.push(assessmentId);
        await trx
          .insertInto("assessments")
          .values({
            partnership_id: ctx.partnershipId,
            assessment_id: assessmentId,
            person_id: childId,
            tool_version_id: version.tool_version_id,
            agency_id: ctx.agencyId,
            mode: input.mode,
            assessed_on: input.assessedOn,
            started_by: ctx.userId,
            family_assessment_id: familyAssessmentId,
          })
          .execute();
        await this.#scope.audit(trx, {
          action: "create",
          recordType: "assessment",
          recordId: assessmentId,
          details: {
            person_id: childId,
            tool_version_id: version.tool_version_id,
            mode: input.mode,
            family_assessment_id: familyAssessmentId,
          },
        });
      }
      return done({ familyAssessmentId, assessmentIds });
    });
  }

  /** The family's row and the children's assessments the caller may see (with how many are hidden). */
  async #loadFamily(trx: Trx, familyAssessmentId: string) {
    const family = await trx
      .selectFrom("family_assessments as f")
      .innerJoin("assessment_tool_versions as v", (j) =>
        j
          .onRef("v.partnership_id", "=", "f.partnership_id")
          .onRef("v.tool_version_id", "=", "f.tool_version_id"),
      )
      .innerJoin("assessment_tools as t", (j) =>
        j.onRef("t.partnership_id", "=", "v.partnership_id").onRef("t.tool_id", "=", "v.tool_id"),
      )
      .selectAll("f")
      .select(["v.content", "v.version", "t.tool_id", "t.name as tool_name"])
      .where(inPartnership("f.partnership_id"))
      .where("f.family_assessment_id", "=", familyAssessmentId)
      .executeTakeFirst();
    if (!family) return undefined;
    const ids = await trx
      .selectFrom("assessments")
      .select("assessment_id")
      .where(inPartnership("partnership_id"))
      .where("family_assessment_id", "=", familyAssessmentId)
      .orderBy("started_at")
      .execute();
    const children: LoadedRow[] = [];
    for (const { assessment_id } of ids) {
      const row = await this.#load(trx, assessment_id);
      if (row) children.push(row);
    }
    if (children.length === 0) return undefined;
    children.sort((a, b) => (a.date_of_birth ?? "").localeCompare(b.date_of_birth ?? ""));
    return {
      family: { ...family, tool: family.content as ToolContent },
      children,
      hidden: ids.length - children.length,
    };
  }

  /** Loads a family assessment the caller may change: every child open to them, a draft, their agency's. */
  async #editableFamily(trx: Trx, familyAssessmentId: string) {
    const loaded = await this.#loadFamily(trx, familyAssessmentId);
    if (!loaded) return { ok: false as const, message: "Family assessment not found" };
    if (loaded.hidden > 0 || !loaded.children.every((c) => this.#mayEdit(c)))
      return {
        ok: false as const,
        message: loaded.children.every((c) => c.status === "draft")
          ? "Only your agency's recorders who may open every child's record can change this family assessment"
          : "This family assessment has been submitted and can no longer be changed",
      };
    return { ok: true as const, ...loaded };
  }

  /**
   * A family assessment with each child's areas, results, suggested level, change since the last reading
   * and voice, the shared answers and the family's words. A child the caller may not open is left out
   * entirely. Audited as a view of the family assessment and of each child's assessment shown.
   * @returns Undefined if it does not exist or the caller may open none of its children.
   */
  getFamilyAssessment(familyAssessmentId: string) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const loaded = await this.#loadFamily(trx, familyAssessmentId);
      if (!loaded) return undefined;
      const { family, children, hidden } = loaded;
      const tool = family.tool;
      const answerRows = await this.#answers(
        trx,
        children.map((c) => c.assessment_id),
      );
      const names = await trx
        .selectFrom("users")
        .select(["user_id", "display_name"])
        .where(inPartnership("partnership_id"))
        .where(
          "user_id",
          "in",
          [family.started_by, ...children.map((c) => c.submitted_by)].filter(
            (id): id is string => id !== null,
          ),
        )
        .execute();
      const nameOf = (id: string | null) => names.find((n) => n.user_id === id)?.display_name ?? null;
      const views = [];
      for (const child of children) {
        const rows = answerRows.filter((r) => r.assessment_id === child.assessment_id);
        const band = ageBandOn(child.date_of_birth, child.assessed_on);
        const judgements = child.judgements as Record<string, Judgement>;
        const results = computeResults(tool, band, toAnswers(rows), judgements);
        const history = await this.#history(
          trx,
          child.person_id,
          child.tool_id,
          child.status === "draft" ? { assessedOn: child.assessed_on, results } : undefined,
        );
        const stored = child.results as { level?: LevelSuggestion } | null;
        views.push({
          assessment: child,
          band,
          answers: Object.fromEntries(rows.map((r) => [r.node_id, r])),
          judgements,
          results,
          history,
          suggestion: stored?.level ?? suggestLevel(tool, results, flagsOf(history.domains)),
          childVoice: child.child_voice as ChildVoice | null,
        });
        await this.#scope.audit(trx, {
          action: "view",
          recordType: "assessment",
          recordId: child.assessment_id,
          details: { family_assessment_id: familyAssessmentId },
        });
      }
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "family-assessment",
        recordId: familyAssessmentId,
      });
      const statuses = new Set(children.map((c) => c.status));
      const status =
        statuses.size === 1 && statuses.has("signed-off")
          ? "signed-off"
          : statuses.size === 1 && statuses.has("submitted")
            ? "submitted"
            : "draft";
      const first = children[0];
      const maySign =
        (ctx.role === "manager" || ctx.role === "safeguarding-lead") &&
        hidden === 0 &&
        status === "submitted" &&
        children.every((c) => c.submitted_by !== ctx.userId && c.started_by !== ctx.userId);
      return {
        family,
        tool,
        shared: sharedItemIds(tool),
        children: views,
        hidden,
        status,
        returnedComments: status === "draft" ? (first?.returned_comments ?? null) : null,
        summary: first?.summary ?? null,
        submittedAt: first?.submitted_at ?? null,
        submittedByName: nameOf(first?.submitted_by ?? null),
        startedByName: nameOf(family.started_by),
        familyView: family.family_view as FamilyView | null,
        canEdit: hidden === 0 && children.every((c) => this.#mayEdit(c)),
        canSignOff: maySign,
      };
    });
  }

  /**
   * Saves the answers to the shared areas, once for the family, and the grades confirmed for shared
   * areas (on every child's assessment).
   */
  saveFamilyShared(
    familyAssessmentId: string,
    input: { answers: AnswerInput[]; judgements: Record<string, Judgement> },
  ): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("Family assessment not found"));
    return this.#run(async (trx) => {
      const loaded = await this.#editableFamily(trx, familyAssessmentId);
      if (!loaded.ok) return refused(loaded.message);
      const shared = sharedItemIds(loaded.family.tool);
      const sharedDomains = new Set(
        loaded.family.tool.sections.flatMap((s) => s.domains.filter((d) => d.shared).map((d) => d.id)),
      );
      if (input.answers.some((a) => !shared.has(a.nodeId)))
        return refused("Only the shared areas are answered for the whole family");
      if (Object.keys(input.judgements).some((id) => !sharedDomains.has(id)))
        return refused("Only the shared areas are graded for the whole family");
      let answers = input.answers;
      for (const child of loaded.children) {
        const written = await this.#writeAnswers(trx, ctx, child, { answers, judgements: input.judgements });
        if (!written.ok) throw new Rollback(written);
        answers = []; // Written once, for the family.
      }
      await this.#touchFamily(trx, familyAssessmentId);
      await this.#scope.audit(trx, {
        action: "update",
        recordType: "family-assessment",
        recordId: familyAssessmentId,
        details: { shared_answers: input.answers.map((a) => a.nodeId) },
      });
      return done(null);
    });
  }

  /** Saves one child's own areas and, when given, their voice, in a family assessment. */
  saveFamilyChild(
    familyAssessmentId: string,
    assessmentId: string,
    input: {
      answers: AnswerInput[];
      judgements: Record<string, Judgement>;
      voice: ChildVoice | null;
    },
  ): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("Family assessment not found"));
    return this.#run(async (trx) => {
      const loaded = await this.#editableFamily(trx, familyAssessmentId);
      if (!loaded.ok) return refused(loaded.message);
      const child = loaded.children.find((c) => c.assessment_id === assessmentId);
      if (!child) return refused("Family assessment not found");
      const shared = sharedItemIds(loaded.family.tool);
      if (input.answers.some((a) => shared.has(a.nodeId)))
        return refused("The shared areas are answered once for the whole family");
      const written = await this.#writeAnswers(trx, ctx, child, input);
      if (!written.ok) throw new Rollback(written);
      if (input.voice) {
        await this.#touch(trx, assessmentId, { child_voice: JSON.stringify(input.voice) });
        await this.#scope.audit(trx, {
          action: "update",
          recordType: "assessment",
          recordId: assessmentId,
          details: { child_voice: "saved", method: input.voice.method },
        });
      }
      await this.#touchFamily(trx, familyAssessmentId);
      return done(null);
    });
  }

  /** Saves the family's own words and score, once for the family. */
  saveFamilyWords(familyAssessmentId: string, view: FamilyView): Promise<ChangeResult<null>> {
    if (!this.#ctx) return Promise.resolve(refused("Family assessment not found"));
    return this.#scope.run(async (trx) => {
      const loaded = await this.#editableFamily(trx, familyAssessmentId);
      if (!loaded.ok) return refused(loaded.message);
      await this.#touchFamily(trx, familyAssessmentId, { family_view: JSON.stringify(view) });
      await this.#scope.audit(trx, {
        action: "update",
        recordType: "family-assessment",
        recordId: familyAssessmentId,
        details: { family_view: "saved", seen_scores_on: view.seenScoresOn },
      });
      return done(null);
    });
  }

  /**
   * Submits every child's assessment for sign-off together, each with its own results and suggested
   * level. If any child's is incomplete, nothing is submitted and the refusal names the child.
   */
  submitFamily(familyAssessmentId: string, summary: string | null): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(refused("Family assessment not found"));
    return this.#run(async (trx) => {
      const loaded = await this.#editableFamily(trx, familyAssessmentId);
      if (!loaded.ok) return refused(loaded.message);
      for (const child of loaded.children) {
        const submitted = await this.#submitIn(trx, ctx, child, summary);
        if (!submitted.ok)
          throw new Rollback(refused(`${child.given_names}: ${submitted.message}`, submitted.field));
      }
      await this.#scope.audit(trx, {
        action: "submit",
        recordType: "family-assessment",
        recordId: familyAssessmentId,
      });
      return done(null);
    });
  }

  /**
   * A manager's decision on a submitted family assessment: sign off every child's assessment (each adds
   * its own chronology entry to that child's record), or return the whole family assessment with a reason.
   */
  decideFamily(
    familyAssessmentId: string,
    input: { decision: "sign-off" | "return"; comments: string },
  ): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx || (ctx.role !== "manager" && ctx.role !== "safeguarding-lead"))
      return Promise.resolve(refused("Only a manager or safeguarding lead can sign off an assessment"));
    if (input.comments.trim() === "")
      return Promise.resolve(
        input.decision === "return"
          ? refused("Enter the reason you are returning the assessment", "reason")
          : refused("Enter your comments", "comments"),
      );
    return this.#run(async (trx) => {
      const loaded = await this.#loadFamily(trx, familyAssessmentId);
      if (!loaded) return refused("Family assessment not found");
      if (loaded.hidden > 0)
        return deniedAccess("You may not open every child's record in this family assessment");
      for (const child of loaded.children) {
        const decided = await this.#decideIn(trx, ctx, child, input, { notifyReturn: false });
        if (!decided.ok) throw new Rollback(decided);
      }
      await this.#scope.audit(trx, {
        action: input.decision === "return" ? "return" : "sign-off",
        recordType: "family-assessment",
        recordId: familyAssessmentId,
        reason: input.comments,
      });
      const first = loaded.children[0];
      if (input.decision === "return" && first)
        await notify(trx, ctx.partnershipId, {
          kind: "message",
          recipients: [first.submitted_by, loaded.family.started_by],
          subject: `${loaded.family.tool_name} returned to you`,
          body: `Your manager returned the family's ${loaded.family.tool_name} for changes. Their reason is on the family assessment: change it and submit it again.`,
          link: `/family-assessments/${familyAssessmentId}`,
          personId: first.person_id,
          actorUserId: ctx.userId,
        });
      return done(null);
    });
  }

  async #touchFamily(trx: Trx, familyAssessmentId: string, set: { family_view?: string } = {}) {
    await trx
      .updateTable("family_assessments")
      .set({ ...set, updated_at: new Date() })
      .where(inPartnership("partnership_id"))
      .where("family_assessment_id", "=", familyAssessmentId)
      .execute();
  }

  /** Runs a change in one transaction; a {@link Rollback} thrown inside undoes it and becomes the answer. */
  async #run<T>(work: (trx: Trx) => Promise<ChangeResult<T>>): Promise<ChangeResult<T>> {
    try {
      return await this.#scope.run(work);
    } catch (error) {
      if (error instanceof Rollback) return error.result;
      throw error;
    }
  }
}
