// SPDX-License-Identifier: MIT
/**
 * Case audit rounds. A safeguarding lead plans a round: a theme, an audit form (versioned YAML), a sample
 * of children drawn from Hearth's records by a rule (at random with a seed shown, or the most recent),
 * the agencies taking part each with its auditor, and the round's dates. The round is what opens a
 * sampled child's record to its auditors, and only from its start to its end (see child-access.ts).
 */
import { sql } from "kysely";
import { AreaRepository } from "../../data/area-repository.ts";
import { childVisibleTo } from "../../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  refused,
  type Trx,
} from "../../data/repository-scope.ts";
import { todayInEnglandSql } from "../../kernel/calendar.ts";
import { can } from "../../kernel/policy.ts";
import { currentPartnership, onKey } from "../../kernel/sql.ts";
import type { AuditTheme, SampleMethod, SampleRule } from "../codes.ts";
import { type AuditFormContent, repositoryAuditForms } from "./audit-form.ts";
import { actionsQuery, childName, ISO, mayLeadAudits, roundPart, UUID } from "./audit-records.ts";
import { drawSample, newSampleSeed } from "./sampling.ts";

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

/** Planning rounds, and the rounds as their lead and auditors see them. */
export class AuditRoundsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof AuditRoundsRepository, MethodAccess> = {
    forms: "unguarded",
    planningOptions: "guarded",
    planRound: "guarded",
    listRounds: "guarded",
    getRound: "guarded",
  };

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
    const ctx = this.ctx;
    if (!mayLeadAudits(ctx)) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const agencies = await trx
        .selectFrom("agencies")
        .select(["agency_id", "name"])
        .where(sql.ref("agencies.partnership_id"), "=", currentPartnership)
        .where("deactivated_at", "is", null)
        .orderBy("name")
        .execute();
      const auditors = await trx
        .selectFrom("users")
        .select(["user_id", "display_name", "agency_id"])
        .where(sql.ref("users.partnership_id"), "=", currentPartnership)
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
      .where(sql.ref("partnership_id"), "=", currentPartnership)
      .where("slug", "=", slug)
      .where("version", "=", form.content.version)
      .executeTakeFirst();
    return row?.form_id;
  }

  /** The children a sample rule finds, in a stable order (most recent activity first, then id). */
  async #candidates(trx: Trx, rule: SampleRule, agencyIds: string[]): Promise<string[]> {
    const ctx = this.ctx;
    let query = trx
      .selectFrom("people")
      .select("people.person_id")
      .where(sql.ref("people.partnership_id"), "=", currentPartnership)
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
        (ob) => ob.desc().nullsLast(),
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
    const ctx = this.ctx;
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
    return this.scope.run(async (trx) => {
      for (const p of input.participants) {
        const auditor = await trx
          .selectFrom("users")
          .select("user_id")
          .where(sql.ref("partnership_id"), "=", currentPartnership)
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
      await this.scope.audit(trx, {
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
    const ctx = this.ctx;
    if (!ctx || !can(ctx.role, "case-audits.rounds")) return Promise.resolve([]);
    return this.scope.run((trx) => {
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
        .where(sql.ref("r.partnership_id"), "=", currentPartnership);
      if (ctx.role === "auditor")
        query = query.where(
          sql<boolean>`exists (select 1 from audit_round_agencies a where a.partnership_id = r.partnership_id
            and a.round_id = r.round_id and a.auditor_user_id = ${ctx.userId} and a.agency_id = ${ctx.agencyId})`,
        );
      return query.orderBy("r.planned_at", "desc").execute();
    });
  }

  /**
   * A round as its lead or one of its auditors sees it: the plan, the sampled children (their names only
   * while the caller may open their records), each agency's returns, moderations and actions. Viewing it
   * is audited; a caller with no part in it is refused, and the refusal audited.
   */
  getRound(roundId: string) {
    const ctx = this.ctx;
    return this.scope.run(async (trx) => {
      const part = await roundPart(trx, this.ctx, roundId);
      if (!ctx || !part) {
        await this.scope.recordDenial(trx, {
          recordType: "audit-round",
          recordId: roundId,
          details: { reason: "not-in-round" },
        });
        return undefined;
      }
      const round = await trx
        .selectFrom("audit_rounds as r")
        .innerJoin("audit_forms as f", (j) => onKey(j, "f.form_id", "r.form_id"))
        .innerJoin("users as u", (j) => onKey(j, "u.user_id", "r.planned_by"))
        .selectAll("r")
        .select([
          "f.name as form_name",
          "f.version as form_version",
          "f.content",
          "u.display_name as planned_by_name",
        ])
        .where(sql.ref("r.partnership_id"), "=", currentPartnership)
        .where("r.round_id", "=", roundId)
        .executeTakeFirstOrThrow();
      const agencies = await trx
        .selectFrom("audit_round_agencies as a")
        .innerJoin("agencies as g", (j) => onKey(j, "g.agency_id", "a.agency_id"))
        .innerJoin("users as u", (j) => onKey(j, "u.user_id", "a.auditor_user_id"))
        .select([
          "a.agency_id",
          "g.name as agency_name",
          "a.auditor_user_id",
          "u.display_name as auditor_name",
        ])
        .where(sql.ref("a.partnership_id"), "=", currentPartnership)
        .where("a.round_id", "=", roundId)
        .orderBy("g.name")
        .execute();
      const children = await trx
        .selectFrom("audit_round_children as c")
        .innerJoin("people", (j) => onKey(j, "people.person_id", "c.person_id"))
        .select([
          "c.person_id",
          "c.position",
          sql<
            string | null
          >`case when ${childVisibleTo(ctx, sql.ref("c.person_id"))} then ${childName} end`.as("name"),
        ])
        .where(sql.ref("c.partnership_id"), "=", currentPartnership)
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
        .where(sql.ref("r.partnership_id"), "=", currentPartnership)
        .where("r.round_id", "=", roundId)
        .where(
          sql<boolean>`r.version = (select max(v.version) from audit_returns v where v.partnership_id = r.partnership_id
            and v.round_id = r.round_id and v.person_id = r.person_id and v.agency_id = r.agency_id)`,
        )
        .execute();
      const moderations = await trx
        .selectFrom("audit_moderations as m")
        .select(["m.person_id", "m.version", "m.agreed_grade", "m.learning_points", "m.moderated_at"])
        .where(sql.ref("m.partnership_id"), "=", currentPartnership)
        .where("m.round_id", "=", roundId)
        .where(
          sql<boolean>`m.version = (select max(v.version) from audit_moderations v where v.partnership_id = m.partnership_id
            and v.round_id = m.round_id and v.person_id = m.person_id)`,
        )
        .execute();
      const actions = await actionsQuery(trx).where("a.round_id", "=", roundId).execute();
      await this.scope.audit(trx, { action: "view", recordType: "audit-round", recordId: roundId });
      const form = round.content as AuditFormContent;
      return { part, round, form, agencies, children, returns, moderations, actions };
    });
  }
}
