// SPDX-License-Identifier: MIT
/**
 * Multi-agency case audits. A safeguarding lead plans a round: a theme, an audit form (versioned YAML), a
 * sample of children drawn from Hearth's records by a rule (at random with a seed shown, or the most
 * recent), the agencies taking part each with its auditor, and the round's dates. The round is what opens
 * a sampled child's record to its auditors, and only from its start to its end (see child-access.ts);
 * every opening of the record is audited by the people and chronology repositories as any read is. Each
 * auditor returns the form for each child; a new return is a new version. The lead moderates: an agreed
 * grade, learning points and actions with owners and due dates; an action is done when its completion is
 * recorded. Everything is append-only and audited in the same transaction as the change.
 */
import { sql } from "kysely";
import { todayInEngland, todayInEnglandSql } from "../../chronology/dates.ts";
import type { AccessContext } from "../../data/access-context.ts";
import { childVisibleTo } from "../../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
  type Trx,
} from "../../data/repository-scope.ts";
import {
  AUDIT_GRADE_CODES,
  type AuditGrade,
  type AuditTheme,
  gradeScore,
  type SampleMethod,
  type SampleRule,
} from "../codes.ts";
import { type AuditFormContent, repositoryAuditForms } from "./audit-form.ts";
import { drawSample, newSampleSeed } from "./sampling.ts";

/** Who plans rounds, moderates and sees every round: the partnership's safeguarding leads. */
export const mayLeadAudits = (ctx: AccessContext | undefined): ctx is AccessContext =>
  ctx?.role === "safeguarding-lead";

/** Who reads the results (figures without names): leads and analysts. */
export const mayReadAuditResults = (ctx: AccessContext | undefined): ctx is AccessContext =>
  ctx?.role === "safeguarding-lead" || ctx?.role === "analyst";

export type PlanRoundInput = {
  title: string;
  theme: AuditTheme;
  formSlug: string;
  sampleMethod: SampleMethod;
  sampleRule: SampleRule;
  /** For a random sample: the seed to draw with; a new one is made when empty. */
  seed: string;
  sampleSize: number;
  startsOn: string;
  returnsDueOn: string;
  endsOn: string;
  /** Each agency taking part, with the auditor who audits its part of each child's record. */
  participants: { agencyId: string; auditorUserId: string }[];
};

export type ReturnInput = {
  answers: Record<string, { grade: AuditGrade; evidence: string }>;
  overallGrade: AuditGrade;
  summary: string;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isGrade = (value: unknown): value is AuditGrade =>
  typeof value === "string" && (AUDIT_GRADE_CODES as string[]).includes(value);

const ISO = /^\d{4}-\d{2}-\d{2}$/;

const childName = sql<string>`coalesce(people.given_names || ' ' || people.family_name, '')`;

export class AuditsRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof AuditsRepository, never>, MethodAccess> = {
    forms: "unguarded",
    planningOptions: "guarded",
    planRound: "guarded",
    listRounds: "guarded",
    getRound: "guarded",
    returnForm: "guarded",
    submitReturn: "guarded",
    moderate: "guarded",
    addAction: "guarded",
    completeAction: "guarded",
    myActions: "guarded",
    results: "guarded",
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  get #ctx(): AccessContext | undefined {
    return this.#scope.context;
  }

  /** @returns The audit forms Hearth ships (no partnership data). */
  forms(): { slug: string; version: string; name: string }[] {
    return repositoryAuditForms().map((f) => ({
      slug: f.content.id,
      version: f.content.version,
      name: f.content.name,
    }));
  }

  /** The agencies a lead may bring into a round, each with its active auditors. Leads only. */
  planningOptions() {
    const ctx = this.#ctx;
    if (!mayLeadAudits(ctx)) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const agencies = await trx
        .selectFrom("agencies")
        .select(["agency_id", "name"])
        .where(sql.ref("agencies.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("deactivated_at", "is", null)
        .orderBy("name")
        .execute();
      const auditors = await trx
        .selectFrom("users")
        .select(["user_id", "display_name", "agency_id"])
        .where(sql.ref("users.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("role", "=", "auditor")
        .where("deactivated_at", "is", null)
        .orderBy("display_name")
        .execute();
      return agencies.map((a) => ({
        agencyId: a.agency_id,
        name: a.name,
        auditors: auditors
          .filter((u) => u.agency_id === a.agency_id)
          .map((u) => ({ userId: u.user_id, name: u.display_name })),
      }));
    });
  }

  /** Publishes the shipped form (once per version) and returns its id in this partnership. */
  async #formId(trx: Trx, partnershipId: string, slug: string): Promise<string | undefined> {
    const form = repositoryAuditForms().find((f) => f.content.id === slug);
    if (!form) return undefined;
    await trx
      .insertInto("audit_forms")
      .values({
        partnership_id: partnershipId,
        form_id: crypto.randomUUID(),
        slug,
        version: form.content.version,
        name: form.content.name,
        content: JSON.stringify(form.content),
        content_hash: form.hash,
        source_text: form.text,
      })
      .onConflict((oc) => oc.columns(["partnership_id", "slug", "version"]).doNothing())
      .execute();
    const row = await trx
      .selectFrom("audit_forms")
      .select("form_id")
      .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
      .where("slug", "=", slug)
      .where("version", "=", form.content.version)
      .executeTakeFirst();
    return row?.form_id;
  }

  /** The children a sample rule finds, in a stable order (most recent activity first, then id). */
  async #candidates(trx: Trx, rule: SampleRule, agencyIds: string[]): Promise<string[]> {
    const ctx = this.#ctx;
    let query = trx
      .selectFrom("people")
      .select("people.person_id")
      .where(sql.ref("people.partnership_id"), "=", sql`hearth_current_partnership()`)
      .where("people.kind", "=", "child")
      .where("people.merged_into_person_id", "is", null)
      .where(childVisibleTo(ctx, sql.ref("people.person_id")));
    if (rule === "neglect-entries") {
      query = query.where(
        sql<boolean>`exists (select 1 from chronology_events e
          where e.partnership_id = people.partnership_id and e.person_id = people.person_id
            and cardinality(e.neglect_types) > 0
            and not exists (select 1 from chronology_retractions r
              where r.partnership_id = e.partnership_id and r.event_id = e.event_id)
            and e.occurred_on >= ${todayInEnglandSql} - 365)`,
      );
    }
    if (rule === "open-involvement") {
      for (const agencyId of agencyIds) {
        query = query.where(
          sql<boolean>`exists (select 1 from involvements i
            where i.partnership_id = people.partnership_id and i.person_id = people.person_id
              and i.agency_id = ${agencyId} and i.started_on <= ${todayInEnglandSql}
              and (i.ended_on is null or i.ended_on >= ${todayInEnglandSql}))`,
        );
      }
    }
    const rows = await query
      .orderBy(
        sql`(select max(e.occurred_on) from chronology_events e where e.partnership_id = people.partnership_id and e.person_id = people.person_id)`,
        sql`desc nulls last`,
      )
      .orderBy("people.person_id")
      .limit(5000)
      .execute();
    return rows.map((r) => r.person_id);
  }

  /**
   * Plans a round and draws its sample. Safeguarding leads only. Each agency's auditor must be an active
   * auditor of that agency. Nothing is written when any part is wrong.
   * @returns The round's id, and the seed shown with a random sample.
   */
  planRound(input: PlanRoundInput): Promise<ChangeResult<{ roundId: string; seed: string | null }>> {
    const ctx = this.#ctx;
    if (!mayLeadAudits(ctx)) return Promise.resolve(deniedAccess("Only safeguarding leads plan case audits"));
    const title = input.title.trim();
    if (title === "") return Promise.resolve(refused("Enter a title for the audit round", "title"));
    if (title.length > 200)
      return Promise.resolve(refused("The title must be 200 characters or fewer", "title"));
    if (!Number.isInteger(input.sampleSize) || input.sampleSize < 1 || input.sampleSize > 100)
      return Promise.resolve(
        refused("The number of children must be a whole number from 1 to 100", "sampleSize"),
      );
    for (const [field, value] of [
      ["startsOn", input.startsOn],
      ["returnsDueOn", input.returnsDueOn],
      ["endsOn", input.endsOn],
    ] as const) {
      if (!ISO.test(value) || Number.isNaN(Date.parse(value)))
        return Promise.resolve(refused("Enter a real date", field));
    }
    if (input.returnsDueOn < input.startsOn)
      return Promise.resolve(refused("Returns are due on or after the round starts", "returnsDueOn"));
    if (input.endsOn < input.returnsDueOn)
      return Promise.resolve(refused("The round ends (moderation) on or after returns are due", "endsOn"));
    if (input.participants.length === 0)
      return Promise.resolve(refused("Choose at least one agency to take part", "agencies"));
    // Ids come from the form: one that is not an id is refused here, never sent to the database.
    const notAnId = input.participants.find((p) => !UUID.test(p.auditorUserId) || !UUID.test(p.agencyId));
    if (notAnId)
      return Promise.resolve(
        refused("Choose an auditor who works for each agency taking part", `auditor-${notAnId.agencyId}`),
      );
    const seedText = input.seed.trim();
    if (seedText.length > 64)
      return Promise.resolve(refused("The seed must be 64 characters or fewer", "seed"));
    const seed = input.sampleMethod === "random" ? seedText || newSampleSeed() : null;
    return this.#scope.run(async (trx) => {
      for (const p of input.participants) {
        const auditor = await trx
          .selectFrom("users")
          .select("user_id")
          .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
          .where("user_id", "=", p.auditorUserId)
          .where("agency_id", "=", p.agencyId)
          .where("role", "=", "auditor")
          .where("deactivated_at", "is", null)
          .executeTakeFirst();
        if (!auditor)
          return refused("Choose an auditor who works for each agency taking part", `auditor-${p.agencyId}`);
      }
      const formId = await this.#formId(trx, ctx.partnershipId, input.formSlug);
      if (!formId) return refused("Choose an audit form", "formSlug");
      const candidates = await this.#candidates(
        trx,
        input.sampleRule,
        input.participants.map((p) => p.agencyId),
      );
      const sample = drawSample(candidates, input.sampleSize, seed);
      if (sample.length === 0) return refused("The rule finds no children to audit", "sampleRule");
      const roundId = crypto.randomUUID();
      await trx
        .insertInto("audit_rounds")
        .values({
          partnership_id: ctx.partnershipId,
          round_id: roundId,
          title,
          theme: input.theme,
          form_id: formId,
          sample_method: input.sampleMethod,
          sample_rule: input.sampleRule,
          sample_seed: seed,
          sample_size: input.sampleSize,
          starts_on: input.startsOn,
          returns_due_on: input.returnsDueOn,
          ends_on: input.endsOn,
          planned_by: ctx.userId,
        })
        .execute();
      await trx
        .insertInto("audit_round_agencies")
        .values(
          input.participants.map((p) => ({
            partnership_id: ctx.partnershipId,
            round_id: roundId,
            agency_id: p.agencyId,
            auditor_user_id: p.auditorUserId,
          })),
        )
        .execute();
      await trx
        .insertInto("audit_round_children")
        .values(
          sample.map((personId, position) => ({
            partnership_id: ctx.partnershipId,
            round_id: roundId,
            person_id: personId,
            position,
          })),
        )
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "audit-round",
        recordId: roundId,
        details: {
          title: [null, title],
          theme: [null, input.theme],
          sample_method: [null, input.sampleMethod],
          sample_rule: [null, input.sampleRule],
          sample_seed: [null, seed],
          children: [null, sample],
          agencies: [null, input.participants],
          starts_on: [null, input.startsOn],
          returns_due_on: [null, input.returnsDueOn],
          ends_on: [null, input.endsOn],
        },
      });
      return done({ roundId, seed });
    });
  }

  /** The rounds the caller leads (every round, for a lead) or audits in, newest first. */
  listRounds() {
    const ctx = this.#ctx;
    if (!ctx || (ctx.role !== "safeguarding-lead" && ctx.role !== "auditor")) return Promise.resolve([]);
    return this.#scope.run((trx) => {
      let query = trx
        .selectFrom("audit_rounds as r")
        .select([
          "r.round_id",
          "r.title",
          "r.theme",
          "r.starts_on",
          "r.returns_due_on",
          "r.ends_on",
          sql<number>`(select count(*) from audit_round_children c where c.partnership_id = r.partnership_id and c.round_id = r.round_id)::int`.as(
            "children",
          ),
          sql<number>`(select count(*) from audit_round_agencies a where a.partnership_id = r.partnership_id and a.round_id = r.round_id)::int`.as(
            "agencies",
          ),
        ])
        .where(sql.ref("r.partnership_id"), "=", sql`hearth_current_partnership()`);
      if (ctx.role === "auditor")
        query = query.where(
          sql<boolean>`exists (select 1 from audit_round_agencies a where a.partnership_id = r.partnership_id
            and a.round_id = r.round_id and a.auditor_user_id = ${ctx.userId} and a.agency_id = ${ctx.agencyId})`,
        );
      return query.orderBy("r.planned_at", "desc").execute();
    });
  }

  /** The caller's part in a round: "lead", "auditor" (with their agency), or nothing. */
  async #part(trx: Trx, roundId: string): Promise<"lead" | "auditor" | undefined> {
    const ctx = this.#ctx;
    if (!ctx) return undefined;
    const round = await trx
      .selectFrom("audit_rounds")
      .select("round_id")
      .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
      .where("round_id", "=", roundId)
      .executeTakeFirst();
    if (!round) return undefined;
    if (ctx.role === "safeguarding-lead") return "lead";
    if (ctx.role !== "auditor") return undefined;
    const mine = await trx
      .selectFrom("audit_round_agencies")
      .select("agency_id")
      .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
      .where("round_id", "=", roundId)
      .where("auditor_user_id", "=", ctx.userId)
      .where("agency_id", "=", ctx.agencyId)
      .executeTakeFirst();
    return mine ? "auditor" : undefined;
  }

  /**
   * A round as its lead or one of its auditors sees it: the plan, the sampled children (their names only
   * while the caller may open their records), each agency's returns, moderations and actions. Viewing it
   * is audited; a caller with no part in it is refused, and the refusal audited.
   */
  getRound(roundId: string) {
    const ctx = this.#ctx;
    return this.#scope.run(async (trx) => {
      const part = await this.#part(trx, roundId);
      if (!ctx || !part) {
        await this.#scope.recordDenial(trx, {
          recordType: "audit-round",
          recordId: roundId,
          details: { reason: "not-in-round" },
        });
        return undefined;
      }
      const round = await trx
        .selectFrom("audit_rounds as r")
        .innerJoin("audit_forms as f", (j) =>
          j.onRef("f.partnership_id", "=", "r.partnership_id").onRef("f.form_id", "=", "r.form_id"),
        )
        .innerJoin("users as u", (j) =>
          j.onRef("u.partnership_id", "=", "r.partnership_id").onRef("u.user_id", "=", "r.planned_by"),
        )
        .selectAll("r")
        .select([
          "f.name as form_name",
          "f.version as form_version",
          "f.content",
          "u.display_name as planned_by_name",
        ])
        .where(sql.ref("r.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("r.round_id", "=", roundId)
        .executeTakeFirstOrThrow();
      const agencies = await trx
        .selectFrom("audit_round_agencies as a")
        .innerJoin("agencies as g", (j) =>
          j.onRef("g.partnership_id", "=", "a.partnership_id").onRef("g.agency_id", "=", "a.agency_id"),
        )
        .innerJoin("users as u", (j) =>
          j.onRef("u.partnership_id", "=", "a.partnership_id").onRef("u.user_id", "=", "a.auditor_user_id"),
        )
        .select([
          "a.agency_id",
          "g.name as agency_name",
          "a.auditor_user_id",
          "u.display_name as auditor_name",
        ])
        .where(sql.ref("a.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("a.round_id", "=", roundId)
        .orderBy("g.name")
        .execute();
      const children = await trx
        .selectFrom("audit_round_children as c")
        .innerJoin("people", (j) =>
          j
            .onRef("people.partnership_id", "=", "c.partnership_id")
            .onRef("people.person_id", "=", "c.person_id"),
        )
        .select([
          "c.person_id",
          "c.position",
          sql<
            string | null
          >`case when ${childVisibleTo(ctx, sql.ref("c.person_id"))} then ${childName} end`.as("name"),
        ])
        .where(sql.ref("c.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("c.round_id", "=", roundId)
        .orderBy("c.position")
        .execute();
      const returns = await trx
        .selectFrom("audit_returns as r")
        .select([
          "r.return_id",
          "r.person_id",
          "r.agency_id",
          "r.version",
          "r.overall_grade",
          "r.submitted_at",
        ])
        .where(sql.ref("r.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("r.round_id", "=", roundId)
        .where(
          sql<boolean>`r.version = (select max(v.version) from audit_returns v where v.partnership_id = r.partnership_id
            and v.round_id = r.round_id and v.person_id = r.person_id and v.agency_id = r.agency_id)`,
        )
        .execute();
      const moderations = await trx
        .selectFrom("audit_moderations as m")
        .select(["m.person_id", "m.version", "m.agreed_grade", "m.learning_points", "m.moderated_at"])
        .where(sql.ref("m.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("m.round_id", "=", roundId)
        .where(
          sql<boolean>`m.version = (select max(v.version) from audit_moderations v where v.partnership_id = m.partnership_id
            and v.round_id = m.round_id and v.person_id = m.person_id)`,
        )
        .execute();
      const actions = await this.#actions(trx).where("a.round_id", "=", roundId).execute();
      await this.#scope.audit(trx, { action: "view", recordType: "audit-round", recordId: roundId });
      const form = round.content as AuditFormContent;
      return { part, round, form, agencies, children, returns, moderations, actions };
    });
  }

  #actions(trx: Trx) {
    return trx
      .selectFrom("audit_actions as a")
      .innerJoin("users as o", (j) =>
        j.onRef("o.partnership_id", "=", "a.partnership_id").onRef("o.user_id", "=", "a.owner_user_id"),
      )
      .innerJoin("audit_rounds as r", (j) =>
        j.onRef("r.partnership_id", "=", "a.partnership_id").onRef("r.round_id", "=", "a.round_id"),
      )
      .leftJoin("audit_action_completions as c", (j) =>
        j.onRef("c.partnership_id", "=", "a.partnership_id").onRef("c.action_id", "=", "a.action_id"),
      )
      .select([
        "a.action_id",
        "a.round_id",
        "r.title as round_title",
        "a.person_id",
        "a.description",
        "a.owner_user_id",
        "o.display_name as owner_name",
        "a.due_on",
        "c.completed_on",
        "c.note as completion_note",
      ])
      .where(sql.ref("a.partnership_id"), "=", sql`hearth_current_partnership()`)
      .orderBy("a.due_on")
      .orderBy("a.created_at");
  }

  /**
   * The form for one sampled child, for the round's auditor of the caller's agency, while the round
   * grants them the child's record. Audited as a view of the child's record.
   */
  returnForm(roundId: string, personId: string) {
    const ctx = this.#ctx;
    return this.#scope.run(async (trx) => {
      const allowed = await this.#mayReturn(trx, roundId, personId);
      if (!ctx || !allowed.ok) {
        await this.#scope.recordDenial(trx, {
          recordType: "person",
          recordId: personId,
          details: { reason: "audit-return", round_id: roundId },
        });
        return undefined;
      }
      const child = await trx
        .selectFrom("people")
        .select(["person_id", "given_names", "family_name", "date_of_birth"])
        .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const latest = await trx
        .selectFrom("audit_returns")
        .select(["return_id", "version", "overall_grade", "summary"])
        .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("round_id", "=", roundId)
        .where("person_id", "=", personId)
        .where("agency_id", "=", ctx.agencyId)
        .orderBy("version", "desc")
        .executeTakeFirst();
      const answers = latest
        ? await trx
            .selectFrom("audit_return_answers")
            .select(["question_id", "grade", "evidence"])
            .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
            .where("return_id", "=", latest.return_id)
            .execute()
        : [];
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { via: "audit-round", round_id: roundId },
      });
      return { form: allowed.form, title: allowed.title, child, latest, answers };
    });
  }

  /** Whether the caller is the round's auditor for their agency and the round grants the child today. */
  async #mayReturn(
    trx: Trx,
    roundId: string,
    personId: string,
  ): Promise<{ ok: true; form: AuditFormContent; title: string } | { ok: false }> {
    const ctx = this.#ctx;
    if (ctx?.role !== "auditor") return { ok: false };
    if ((await this.#part(trx, roundId)) !== "auditor") return { ok: false };
    const row = await trx
      .selectFrom("audit_round_children as c")
      .innerJoin("audit_rounds as r", (j) =>
        j.onRef("r.partnership_id", "=", "c.partnership_id").onRef("r.round_id", "=", "c.round_id"),
      )
      .innerJoin("audit_forms as f", (j) =>
        j.onRef("f.partnership_id", "=", "r.partnership_id").onRef("f.form_id", "=", "r.form_id"),
      )
      .select(["f.content", "r.title"])
      .where(sql.ref("c.partnership_id"), "=", sql`hearth_current_partnership()`)
      .where("c.round_id", "=", roundId)
      .where("c.person_id", "=", personId)
      .executeTakeFirst();
    if (!row) return { ok: false };
    if (!(await this.#scope.canOpenRecord(trx, personId, { childrenOnly: true }))) return { ok: false };
    return { ok: true, form: row.content as AuditFormContent, title: row.title };
  }

  /**
   * Returns the form for one child: a grade and evidence for every question, an overall grade and a
   * summary. A later return is a new version; the earlier one is kept.
   */
  submitReturn(
    roundId: string,
    personId: string,
    input: ReturnInput,
  ): Promise<ChangeResult<{ version: number }>> {
    const ctx = this.#ctx;
    return this.#scope.run(async (trx) => {
      const allowed = await this.#mayReturn(trx, roundId, personId);
      if (!ctx || !allowed.ok) {
        await this.#scope.recordDenial(trx, {
          recordType: "person",
          recordId: personId,
          details: { reason: "audit-return", round_id: roundId },
        });
        return deniedAccess("You cannot audit this child's record in this round");
      }
      for (const question of allowed.form.questions) {
        const answer = input.answers[question.id];
        if (!answer || !isGrade(answer.grade))
          return refused(`Choose a grade for "${question.title}"`, `grade-${question.id}`);
        if (answer.evidence.trim() === "")
          return refused(`Enter the evidence for "${question.title}"`, `evidence-${question.id}`);
        if (answer.evidence.length > 4000)
          return refused(
            `The evidence for "${question.title}" must be 4000 characters or fewer`,
            `evidence-${question.id}`,
          );
      }
      if (!isGrade(input.overallGrade)) return refused("Choose the overall grade", "overallGrade");
      if (input.summary.trim() === "") return refused("Enter a summary of what you found", "summary");
      if (input.summary.length > 4000)
        return refused("The summary must be 4000 characters or fewer", "summary");
      const previous = await trx
        .selectFrom("audit_returns")
        .select(sql<number>`coalesce(max(version), 0)`.as("version"))
        .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("round_id", "=", roundId)
        .where("person_id", "=", personId)
        .where("agency_id", "=", ctx.agencyId)
        .executeTakeFirstOrThrow();
      const version = Number(previous.version) + 1;
      const returnId = crypto.randomUUID();
      await trx
        .insertInto("audit_returns")
        .values({
          partnership_id: ctx.partnershipId,
          return_id: returnId,
          round_id: roundId,
          person_id: personId,
          agency_id: ctx.agencyId,
          version,
          overall_grade: input.overallGrade,
          summary: input.summary.trim(),
          submitted_by: ctx.userId,
        })
        .execute();
      await trx
        .insertInto("audit_return_answers")
        .values(
          allowed.form.questions.map((q) => ({
            partnership_id: ctx.partnershipId,
            return_id: returnId,
            question_id: q.id,
            grade: input.answers[q.id]?.grade as AuditGrade,
            evidence: (input.answers[q.id]?.evidence ?? "").trim(),
          })),
        )
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "audit-return",
        recordId: returnId,
        details: {
          round_id: [null, roundId],
          person_id: [null, personId],
          version: [null, version],
          overall_grade: [null, input.overallGrade],
        },
      });
      return done({ version });
    });
  }

  /** Records the moderation's agreed grade and learning points for one child. Leads only; a new version each time. */
  moderate(
    roundId: string,
    personId: string,
    input: { agreedGrade: AuditGrade; learningPoints: string },
  ): Promise<ChangeResult<{ version: number }>> {
    const ctx = this.#ctx;
    if (!mayLeadAudits(ctx))
      return Promise.resolve(deniedAccess("Only safeguarding leads moderate case audits"));
    if (!isGrade(input.agreedGrade))
      return Promise.resolve(refused("Choose the agreed grade", "agreedGrade"));
    const learning = input.learningPoints.trim();
    if (learning === "") return Promise.resolve(refused("Enter the learning points", "learningPoints"));
    if (learning.length > 4000)
      return Promise.resolve(
        refused("The learning points must be 4000 characters or fewer", "learningPoints"),
      );
    return this.#scope.run(async (trx) => {
      if (!(await this.#sampled(trx, roundId, personId))) return refused("This child is not in the round");
      const previous = await trx
        .selectFrom("audit_moderations")
        .select(sql<number>`coalesce(max(version), 0)`.as("version"))
        .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("round_id", "=", roundId)
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const version = Number(previous.version) + 1;
      const moderationId = crypto.randomUUID();
      await trx
        .insertInto("audit_moderations")
        .values({
          partnership_id: ctx.partnershipId,
          moderation_id: moderationId,
          round_id: roundId,
          person_id: personId,
          version,
          agreed_grade: input.agreedGrade,
          learning_points: learning,
          moderated_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "audit-moderation",
        recordId: moderationId,
        details: {
          round_id: [null, roundId],
          person_id: [null, personId],
          version: [null, version],
          agreed_grade: [null, input.agreedGrade],
        },
      });
      return done({ version });
    });
  }

  async #sampled(trx: Trx, roundId: string, personId: string): Promise<boolean> {
    const row = await trx
      .selectFrom("audit_round_children")
      .select("person_id")
      .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
      .where("round_id", "=", roundId)
      .where("person_id", "=", personId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Records an action agreed at moderation, with its owner (any active user) and due date. Leads only. */
  addAction(
    roundId: string,
    personId: string,
    input: { description: string; ownerUserId: string; dueOn: string },
  ): Promise<ChangeResult<{ actionId: string }>> {
    const ctx = this.#ctx;
    if (!mayLeadAudits(ctx))
      return Promise.resolve(deniedAccess("Only safeguarding leads record audit actions"));
    const description = input.description.trim();
    if (description === "") return Promise.resolve(refused("Enter the action", "description"));
    if (description.length > 2000)
      return Promise.resolve(refused("The action must be 2000 characters or fewer", "description"));
    if (!ISO.test(input.dueOn) || Number.isNaN(Date.parse(input.dueOn)))
      return Promise.resolve(refused("Enter a real due date", "dueOn"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#sampled(trx, roundId, personId))) return refused("This child is not in the round");
      const owner = await trx
        .selectFrom("users")
        .select("user_id")
        .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("user_id", "=", input.ownerUserId)
        .where("deactivated_at", "is", null)
        .executeTakeFirst();
      if (!owner) return refused("Choose who owns the action", "ownerUserId");
      const actionId = crypto.randomUUID();
      await trx
        .insertInto("audit_actions")
        .values({
          partnership_id: ctx.partnershipId,
          action_id: actionId,
          round_id: roundId,
          person_id: personId,
          description,
          owner_user_id: input.ownerUserId,
          due_on: input.dueOn,
          created_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "audit-action",
        recordId: actionId,
        details: {
          round_id: [null, roundId],
          person_id: [null, personId],
          description: [null, description],
          owner_user_id: [null, input.ownerUserId],
          due_on: [null, input.dueOn],
        },
      });
      return done({ actionId });
    });
  }

  /** Records an action as done. Its owner or a safeguarding lead; once only. */
  completeAction(
    actionId: string,
    input: { completedOn: string; note: string },
  ): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(deniedAccess("Sign in to complete an action"));
    const note = input.note.trim();
    return this.#scope.run(async (trx) => {
      const action = await trx
        .selectFrom("audit_actions")
        .select(["owner_user_id"])
        .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("action_id", "=", actionId)
        .executeTakeFirst();
      if (!action || (action.owner_user_id !== ctx.userId && ctx.role !== "safeguarding-lead")) {
        await this.#scope.recordDenial(trx, { recordType: "audit-action", recordId: actionId });
        return deniedAccess("Only the action's owner or a safeguarding lead can complete it");
      }
      // The input is checked after access, so whoever may not complete it is refused whatever they sent.
      if (!ISO.test(input.completedOn) || Number.isNaN(Date.parse(input.completedOn)))
        return refused("Enter a real date", "completedOn");
      if (input.completedOn > todayInEngland())
        return refused("The date it was done cannot be in the future", "completedOn");
      if (note === "") return refused("Say what was done", "note");
      if (note.length > 2000) return refused("The note must be 2000 characters or fewer", "note");
      const already = await trx
        .selectFrom("audit_action_completions")
        .select("action_id")
        .where(sql.ref("partnership_id"), "=", sql`hearth_current_partnership()`)
        .where("action_id", "=", actionId)
        .executeTakeFirst();
      if (already) return refused("This action is already done");
      await trx
        .insertInto("audit_action_completions")
        .values({
          partnership_id: ctx.partnershipId,
          action_id: actionId,
          completed_on: input.completedOn,
          note,
          recorded_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "complete",
        recordType: "audit-action",
        recordId: actionId,
        details: { completed_on: [null, input.completedOn], note: [null, note] },
      });
      return done(null);
    });
  }

  /** The caller's own audit actions (every round's, for a lead), open first. */
  myActions() {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve([]);
    return this.#scope.run((trx) => {
      let query = this.#actions(trx);
      if (ctx.role !== "safeguarding-lead") query = query.where("a.owner_user_id", "=", ctx.userId);
      return query.execute();
    });
  }

  /**
   * Results without names: latest returns' grades by question and by agency, moderated grades by round,
   * and actions done on time. Leads and analysts.
   * @param roundId - One round, or every round.
   */
  results(roundId?: string) {
    const ctx = this.#ctx;
    if (!mayReadAuditResults(ctx)) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const latestReturns = trx
        .selectFrom("audit_returns as r")
        .select(["r.partnership_id", "r.return_id", "r.round_id", "r.agency_id", "r.overall_grade"])
        .where(sql.ref("r.partnership_id"), "=", sql`hearth_current_partnership()`)
        .where(
          sql<boolean>`r.version = (select max(v.version) from audit_returns v where v.partnership_id = r.partnership_id
            and v.round_id = r.round_id and v.person_id = r.person_id and v.agency_id = r.agency_id)`,
        )
        .$if(roundId !== undefined, (q) => q.where("r.round_id", "=", roundId as string));
      const byQuestion = await trx
        .with("latest", () => latestReturns)
        .selectFrom("latest")
        .innerJoin("audit_return_answers as x", (j) =>
          j
            .onRef("x.partnership_id", "=", "latest.partnership_id")
            .onRef("x.return_id", "=", "latest.return_id"),
        )
        .select(["x.question_id", "x.grade", sql<number>`count(*)::int`.as("count")])
        .groupBy(["x.question_id", "x.grade"])
        .execute();
      const byAgency = await trx
        .with("latest", () => latestReturns)
        .selectFrom("latest")
        .innerJoin("agencies as g", (j) =>
          j
            .onRef("g.partnership_id", "=", "latest.partnership_id")
            .onRef("g.agency_id", "=", "latest.agency_id"),
        )
        .select([
          "g.name as agency_name",
          "latest.overall_grade as grade",
          sql<number>`count(*)::int`.as("count"),
        ])
        .groupBy(["g.name", "latest.overall_grade"])
        .execute();
      const byRound = await trx
        .selectFrom("audit_rounds as r")
        .select([
          "r.round_id",
          "r.title",
          "r.starts_on",
          sql<number>`(select count(*) from audit_round_children c where c.partnership_id = r.partnership_id and c.round_id = r.round_id)::int`.as(
            "sampled",
          ),
          sql<Record<string, number> | null>`(select jsonb_object_agg(g.agreed_grade, g.n) from (
              select m.agreed_grade, count(*)::int n from audit_moderations m
              where m.partnership_id = r.partnership_id and m.round_id = r.round_id
                and m.version = (select max(v.version) from audit_moderations v where v.partnership_id = m.partnership_id
                  and v.round_id = m.round_id and v.person_id = m.person_id)
              group by m.agreed_grade) g)`.as("moderated"),
          sql<number>`(select count(*) from audit_actions a where a.partnership_id = r.partnership_id and a.round_id = r.round_id)::int`.as(
            "actions",
          ),
          sql<number>`(select count(*) from audit_actions a join audit_action_completions c
              on c.partnership_id = a.partnership_id and c.action_id = a.action_id
              where a.partnership_id = r.partnership_id and a.round_id = r.round_id and c.completed_on <= a.due_on)::int`.as(
            "actions_on_time",
          ),
          sql<number>`(select count(*) from audit_actions a join audit_action_completions c
              on c.partnership_id = a.partnership_id and c.action_id = a.action_id
              where a.partnership_id = r.partnership_id and a.round_id = r.round_id)::int`.as("actions_done"),
        ])
        .where(sql.ref("r.partnership_id"), "=", sql`hearth_current_partnership()`)
        .$if(roundId !== undefined, (q) => q.where("r.round_id", "=", roundId as string))
        .orderBy("r.starts_on", "desc")
        .execute();
      const forms = repositoryAuditForms();
      const questionTitle = (id: string) =>
        forms.flatMap((f) => f.content.questions).find((q) => q.id === id)?.title ?? id;
      const questions = [...new Set(byQuestion.map((r) => r.question_id))].map((id) => ({
        questionId: id,
        title: questionTitle(id),
        counts: Object.fromEntries(
          AUDIT_GRADE_CODES.map((g) => [
            g,
            byQuestion.find((r) => r.question_id === id && r.grade === g)?.count ?? 0,
          ]),
        ) as Record<AuditGrade, number>,
      }));
      const agencies = [...new Set(byAgency.map((r) => r.agency_name))].sort().map((name) => ({
        name,
        counts: Object.fromEntries(
          AUDIT_GRADE_CODES.map((g) => [
            g,
            byAgency.find((r) => r.agency_name === name && r.grade === g)?.count ?? 0,
          ]),
        ) as Record<AuditGrade, number>,
      }));
      const rounds = byRound.map((r) => {
        const moderated = r.moderated ?? {};
        const total = Object.values(moderated).reduce((a, b) => a + b, 0);
        const score = AUDIT_GRADE_CODES.reduce((sum, g) => sum + (moderated[g] ?? 0) * gradeScore(g), 0);
        return {
          ...r,
          counts: Object.fromEntries(AUDIT_GRADE_CODES.map((g) => [g, moderated[g] ?? 0])) as Record<
            AuditGrade,
            number
          >,
          moderatedTotal: total,
          goodOrBetter: (moderated.outstanding ?? 0) + (moderated.good ?? 0),
          meanScore: total ? score / total : null,
        };
      });
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "audit-results",
        recordId: roundId ?? ctx.partnershipId,
      });
      return { questions, agencies, rounds };
    });
  }
}
