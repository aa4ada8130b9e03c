// SPDX-License-Identifier: MIT
/**
 * Feedback from children and families. A practitioner whose agency works with the child either hands
 * over their device (the answers are recorded against their agency, the service) or makes a one-time
 * link: only its hash is stored, it expires, it works once (a second answer is refused by the database's
 * unique link), and the page it opens names nobody. Answers are attached to the child and, when the child
 * has one open, their social care episode. The child's lead professional (or a safeguarding lead) chooses
 * quotes to show; the summary by service and period shows scores and chosen quotes, never names.
 */
import { sql } from "kysely";
import { appendAudit } from "../../audit/audit-log.ts";
import { hashToken, newToken } from "../../auth/tokens.ts";
import type { AccessContext } from "../../data/access-context.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
  type Trx,
} from "../../data/repository-scope.ts";
import { type HearthDatabase, withPartnershipScope } from "../../db/database.ts";
import { todayInEnglandSql } from "../../kernel/calendar.ts";
import { can } from "../../kernel/policy.ts";
import { inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import { FEEDBACK_VERSION_CODES, type FeedbackVersion } from "../codes.ts";

/** How long a one-time feedback link works. */
export const FEEDBACK_LINK_DAYS = 14;

/** Who asks for feedback: people who work with the child. */
const mayAskFeedback = (ctx: AccessContext | undefined): ctx is AccessContext =>
  ctx !== undefined && can(ctx.role, "feedback.ask");

/** Who reads the summary by service and period (scores and chosen quotes, no names). */
export const mayReadFeedbackSummary = (ctx: AccessContext | undefined): boolean =>
  ctx !== undefined && can(ctx.role, "feedback.summary");

/** The child's open social care episode, if any: the latest referral with no closure after it. */
const openEpisode = async (trx: Trx, personId: string): Promise<string | null> => {
  const row = await trx
    .selectFrom("csc_events as e")
    .select("e.episode_id")
    .where(inCurrentPartnership("e.partnership_id"))
    .where("e.person_id", "=", personId)
    .where("e.event_type", "=", "referral")
    .where(
      sql<boolean>`not exists (select 1 from csc_events c where c.partnership_id = e.partnership_id
        and c.episode_id = e.episode_id and c.event_type = 'closure')`,
    )
    .orderBy("e.occurred_on", "desc")
    .executeTakeFirst();
  return row?.episode_id ?? null;
};

export type LinkState =
  | { state: "open"; version: FeedbackVersion }
  | { state: "used" | "expired" | "unknown" };

export class FeedbackRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof FeedbackRepository, never>, MethodAccess> = {
    forChild: "guarded",
    mayAskFor: "guarded",
    createLink: "guarded",
    recordOnDevice: "guarded",
    chooseQuote: "guarded",
    summary: "guarded",
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  get #ctx(): AccessContext | undefined {
    return this.#scope.context;
  }

  async #isLeadProfessional(trx: Trx, personId: string): Promise<boolean> {
    const ctx = this.#ctx;
    if (!ctx) return false;
    if (ctx.role === "safeguarding-lead") return true;
    const row = await trx
      .selectFrom("involvements")
      .select("involvement_id")
      .where(inCurrentPartnership("partnership_id"))
      .where("person_id", "=", personId)
      .where("lead_professional_user_id", "=", ctx.userId)
      .where((eb) => eb.or([eb("ended_on", "is", null), eb("ended_on", ">=", todayInEnglandSql)]))
      .executeTakeFirst();
    return row !== undefined;
  }

  /** A child's feedback, newest first, for someone who may open the child's record. Audited as a view. */
  forChild(personId: string) {
    const ctx = this.#ctx;
    if (!mayAskFeedback(ctx)) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      if (!(await this.#scope.canOpenRecord(trx, personId, { childrenOnly: true }))) return undefined;
      const person = await trx
        .selectFrom("people")
        .select(["person_id", "given_names", "family_name"])
        .where(inCurrentPartnership("partnership_id"))
        .where("person_id", "=", personId)
        .executeTakeFirstOrThrow();
      const responses = await trx
        .selectFrom("feedback_responses as f")
        .innerJoin("agencies as g", (j) => onKey(j, "g.agency_id", "f.agency_id"))
        .leftJoin("feedback_quotes as q", (j) => onKey(j, "q.response_id", "f.response_id"))
        .select([
          "f.response_id",
          "f.version",
          "f.channel",
          "f.answers",
          "f.comment",
          "f.submitted_at",
          "g.name as agency_name",
          sql<boolean>`q.response_id is not null`.as("quoted"),
        ])
        .where(inCurrentPartnership("f.partnership_id"))
        .where("f.person_id", "=", personId)
        .orderBy("f.submitted_at", "desc")
        .execute();
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { via: "feedback" },
      });
      return { person, responses, canQuote: await this.#isLeadProfessional(trx, personId) };
    });
  }

  /** Whether the caller may record feedback for this child (reads nothing of the record). */
  mayAskFor(personId: string): Promise<boolean> {
    const ctx = this.#ctx;
    if (!mayAskFeedback(ctx)) return Promise.resolve(false);
    return this.#scope.run((trx) => this.#scope.canOpenRecord(trx, personId, { childrenOnly: true }));
  }

  /**
   * Makes a one-time link for the child or their family. Only its hash is kept; the token is returned
   * once, to show. The caller's agency is the service the feedback is about.
   */
  createLink(
    personId: string,
    version: FeedbackVersion,
  ): Promise<ChangeResult<{ token: string; expiresAt: Date }>> {
    const ctx = this.#ctx;
    if (!mayAskFeedback(ctx)) return Promise.resolve(deniedAccess("You cannot ask for feedback"));
    if (!(FEEDBACK_VERSION_CODES as string[]).includes(version))
      return Promise.resolve(refused("Choose who the questionnaire is for", "version"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#scope.canOpenRecord(trx, personId, { childrenOnly: true }))) {
        await this.#scope.recordDenial(trx, {
          recordType: "person",
          recordId: personId,
          details: { reason: "feedback-link" },
        });
        return deniedAccess("You do not have access to this child's record");
      }
      const { token, tokenHash } = newToken();
      const linkId = crypto.randomUUID();
      const expiresAt = new Date(Date.now() + FEEDBACK_LINK_DAYS * 86_400_000);
      await trx
        .insertInto("feedback_links")
        .values({
          partnership_id: ctx.partnershipId,
          link_id: linkId,
          token_hash: tokenHash,
          person_id: personId,
          agency_id: ctx.agencyId,
          version,
          created_by: ctx.userId,
          expires_at: expiresAt,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "feedback-link",
        recordId: linkId,
        details: {
          person_id: [null, personId],
          version: [null, version],
          expires_at: [null, expiresAt.toISOString()],
        },
      });
      return done({ token, expiresAt });
    });
  }

  /** Records a questionnaire completed on the practitioner's device. */
  recordOnDevice(
    personId: string,
    input: { version: FeedbackVersion; answers: Record<string, number>; comment: string | null },
  ): Promise<ChangeResult<{ responseId: string }>> {
    const ctx = this.#ctx;
    if (!mayAskFeedback(ctx)) return Promise.resolve(deniedAccess("You cannot record feedback"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#scope.canOpenRecord(trx, personId, { childrenOnly: true }))) {
        await this.#scope.recordDenial(trx, {
          recordType: "person",
          recordId: personId,
          details: { reason: "feedback" },
        });
        return deniedAccess("You do not have access to this child's record");
      }
      const responseId = crypto.randomUUID();
      await trx
        .insertInto("feedback_responses")
        .values({
          partnership_id: ctx.partnershipId,
          response_id: responseId,
          person_id: personId,
          agency_id: ctx.agencyId,
          episode_id: await openEpisode(trx, personId),
          version: input.version,
          channel: "device",
          link_id: null,
          answers: JSON.stringify(input.answers),
          comment: input.comment,
          recorded_by: ctx.userId,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "create",
        recordType: "feedback-response",
        recordId: responseId,
        details: { person_id: [null, personId], version: [null, input.version], channel: [null, "device"] },
      });
      return done({ responseId });
    });
  }

  /** Marks a response's comment as a quote to show in the summary. The child's lead professional or a lead. */
  chooseQuote(personId: string, responseId: string): Promise<ChangeResult<null>> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(deniedAccess("Sign in"));
    return this.#scope.run(async (trx) => {
      if (!(await this.#isLeadProfessional(trx, personId))) {
        await this.#scope.recordDenial(trx, { recordType: "feedback-response", recordId: responseId });
        return deniedAccess("Only the child's lead professional chooses quotes");
      }
      const response = await trx
        .selectFrom("feedback_responses")
        .select(["comment"])
        .where(inCurrentPartnership("partnership_id"))
        .where("response_id", "=", responseId)
        .where("person_id", "=", personId)
        .executeTakeFirst();
      if (!response?.comment) return refused("This answer has no comment to quote");
      await trx
        .insertInto("feedback_quotes")
        .values({ partnership_id: ctx.partnershipId, response_id: responseId, chosen_by: ctx.userId })
        .onConflict((oc) => oc.columns(["partnership_id", "response_id"]).doNothing())
        .execute();
      await this.#scope.audit(trx, {
        action: "choose-quote",
        recordType: "feedback-response",
        recordId: responseId,
      });
      return done(null);
    });
  }

  /** Mean scores and counts by service (agency) and quarter, with the chosen quotes. No names. */
  summary() {
    const ctx = this.#ctx;
    if (!ctx || !mayReadFeedbackSummary(ctx)) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const rows = await trx
        .selectFrom("feedback_responses as f")
        .innerJoin("agencies as g", (j) => onKey(j, "g.agency_id", "f.agency_id"))
        .select([
          "g.name as agency_name",
          sql<string>`to_char(date_trunc('quarter', f.submitted_at at time zone 'Europe/London'), 'YYYY "Q"Q')`.as(
            "quarter",
          ),
          "f.version",
          sql<number>`count(*)::int`.as("responses"),
          sql<number>`avg((select avg(value::float8) from jsonb_each_text(f.answers)))::float8`.as(
            "mean_score",
          ),
        ])
        .where(inCurrentPartnership("f.partnership_id"))
        .groupBy(["g.name", sql`2`, "f.version"])
        .orderBy(sql`2`, "desc")
        .orderBy("g.name")
        .execute();
      const quotes = await trx
        .selectFrom("feedback_quotes as q")
        .innerJoin("feedback_responses as f", (j) => onKey(j, "f.response_id", "q.response_id"))
        .innerJoin("agencies as g", (j) => onKey(j, "g.agency_id", "f.agency_id"))
        .select(["f.comment", "f.version", "g.name as agency_name", "f.submitted_at"])
        .where(inCurrentPartnership("q.partnership_id"))
        .orderBy("f.submitted_at", "desc")
        .limit(50)
        .execute();
      return { rows: rows.map((r) => ({ ...r, mean_score: Number(r.mean_score) })), quotes };
    });
  }
}

/**
 * What a one-time link opens, looked up by the hash of its secret as the owner (there is no caller to
 * scope by): its partnership, its version, and whether it is open, used or expired. Named unsafe: it is
 * one of the look-ups by secret (like sessions and invites); it returns nothing about the family.
 */
export const unsafeFeedbackLinkState = async (
  database: HearthDatabase,
  token: string,
): Promise<LinkState & { partnershipId?: string; linkId?: string }> => {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { state: "unknown" };
  const link = await database.unsafeOwnerDb
    .selectFrom("feedback_links as l")
    .select([
      "l.partnership_id",
      "l.link_id",
      "l.version",
      "l.expires_at",
      sql<boolean>`exists (select 1 from feedback_responses r where r.partnership_id = l.partnership_id and r.link_id = l.link_id)`.as(
        "used",
      ),
    ])
    .where("l.token_hash", "=", hashToken(token))
    .executeTakeFirst();
  if (!link) return { state: "unknown" };
  if (link.used) return { state: "used" };
  if (new Date(link.expires_at).getTime() <= Date.now()) return { state: "expired" };
  return { state: "open", version: link.version, partnershipId: link.partnership_id, linkId: link.link_id };
};

/**
 * Records the answers given through a one-time link, in the link's partnership under row-level security,
 * audited with no actor (nobody signed in). The database's unique link makes a second answer fail: then
 * "used" is returned and nothing is written.
 */
export const answerThroughLink = async (
  database: HearthDatabase,
  token: string,
  input: { answers: Record<string, number>; comment: string | null },
): Promise<"saved" | "used" | "expired" | "unknown"> => {
  const link = await unsafeFeedbackLinkState(database, token);
  if (link.state !== "open" || !link.partnershipId || !link.linkId)
    return link.state === "open" ? "unknown" : link.state;
  const partnershipId = link.partnershipId;
  const linkId = link.linkId;
  try {
    return await withPartnershipScope(database, partnershipId, async (trx) => {
      const row = await trx
        .selectFrom("feedback_links")
        .select(["person_id", "agency_id", "version", "expires_at"])
        .where(inCurrentPartnership("partnership_id"))
        .where("link_id", "=", linkId)
        .executeTakeFirstOrThrow();
      if (new Date(row.expires_at).getTime() <= Date.now()) return "expired" as const;
      const responseId = crypto.randomUUID();
      await trx
        .insertInto("feedback_responses")
        .values({
          partnership_id: partnershipId,
          response_id: responseId,
          person_id: row.person_id,
          agency_id: row.agency_id,
          episode_id: await openEpisode(trx, row.person_id),
          version: row.version,
          channel: "link",
          link_id: linkId,
          answers: JSON.stringify(input.answers),
          comment: input.comment,
          recorded_by: null,
        })
        .execute();
      await appendAudit(trx, {
        partnershipId,
        actor: null,
        action: "create",
        recordType: "feedback-response",
        recordId: responseId,
        ip: null,
        details: { link_id: [null, linkId], channel: [null, "link"] },
      });
      return "saved" as const;
    });
  } catch (error) {
    // Two answers raced: the unique link let one in, and this one is refused whole.
    if (String((error as { code?: string }).code) === "23505") return "used";
    throw error;
  }
};
