// SPDX-License-Identifier: MIT
/**
 * Neglect assessments: tool definitions as versioned data, assessments pinned to a version, answers,
 * family and child's views, sign-off, and change over time. Access follows the child-record rules
 * (../data/child-access.ts): whoever may open the child's record may read their assessments; recorders
 * of the agency that started an assessment may edit it while it is a draft; a manager or safeguarding
 * lead other than the person who submitted it signs it off. Every view and change is audited in the same
 * transaction, and signing off adds an entry to the child's chronology.
 */
import { sql } from "kysely";
import type { NeglectType } from "../chronology/codes.ts";
import { todayInEngland } from "../chronology/dates.ts";
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

  async #answers(trx: Trx, assessmentIds: string[]) {
    if (assessmentIds.length === 0) return [];
    return trx
      .selectFrom("assessment_answers")
      .select(["assessment_id", "node_id", "value", "special", "evidence_sources", "evidence", "updated_at"])
      .where(inPartnership("partnership_id"))
      .where("assessment_id", "in", assessmentIds)
      .execute();
  }

  /** Whether the caller may change this assessment: a recorder of its agency, while it is a draft. */
  #mayEdit(row: { agency_id: string; status: string }): boolean {
    const ctx = this.#ctx;
    return !!ctx && mayRecord(ctx.role) && row.agency_id === ctx.agencyId && row.status === "draft";
  }

  #maySignOff(row: { status: string; submitted_by: string | null; started_by: string }): boolean {
    const ctx = this.#ctx;
    return (
      !!ctx &&
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
      const { tool } = loaded.row;
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
      const judgements = { ...(loaded.row.judgements as Record<string, Judgement>), ...input.judgements };
      await this.#touch(trx, assessmentId, { judgements: JSON.stringify(judgements) });
      await this.#scope.audit(trx, {
        action: "update",
        recordType: "assessment",
        recordId: assessmentId,
        details: {
          answers: input.answers.map((a) => a.nodeId),
          judgements: Object.keys(input.judgements),
        },
      });
      return done(null);
    });
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
      const row = loaded.row;
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
    });
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
    });
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
}
