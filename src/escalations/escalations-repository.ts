// SPDX-License-Identifier: MIT
/**
 * Professional differences seen from the parties' side: the list of those the caller is a party to, and
 * each one's page, for the raiser, the agency (or front door) it is about, both agencies' managers and
 * the safeguarding leads, whether or not their agency is involved with the child. The party rule is SQL
 * (./parties.ts); a non-party reads nothing. Raising, escalating and resolving stay in the pathways
 * repository, which tells the parties.
 */
import { sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import { notArchived } from "../data/child-access.ts";
import type { MethodAccess, RepositoryScope, Trx } from "../data/repository-scope.ts";
import { todayInEngland, workingDaysBetween } from "../kernel/calendar.ts";
import { currentPartnership, onKey } from "../kernel/sql.ts";
import { type EscalationStage, escalationState } from "../pathways/escalation.ts";
import { differenceVisibleTo } from "./parties.ts";

const p = (column: string) => sql.ref(column);

export type DifferenceSummary = Awaited<ReturnType<EscalationsRepository["listMine"]>>[number];

export class EscalationsRepository {
  static readonly methodAccess: Record<Exclude<keyof EscalationsRepository, never>, MethodAccess> = {
    listMine: "guarded",
    countOpenMine: "guarded",
    getDifference: "guarded",
    aboutOptions: "guarded",
  };

  readonly #scope: RepositoryScope;

  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  get #ctx(): AccessContext | undefined {
    return this.#scope.context;
  }

  #base(trx: Trx) {
    return trx
      .selectFrom("escalations as x")
      .innerJoin("people as c", (j) => onKey(j, "c.person_id", "x.person_id"))
      .innerJoin("users as r", (j) => onKey(j, "r.user_id", "x.raised_by"))
      .innerJoin("agencies as ra", (j) => onKey(j, "ra.agency_id", "x.raised_by_agency_id"))
      .leftJoin("agencies as aa", (j) => onKey(j, "aa.agency_id", "x.about_agency_id"))
      .select([
        "x.escalation_id",
        "x.person_id",
        "x.raised_on",
        "x.disagreement",
        "x.resolved_on",
        "x.outcome",
        "x.about_request_id",
        "c.given_names",
        "c.family_name",
        "r.display_name as raised_by_name",
        "ra.name as raised_by_agency_name",
        "aa.name as about_agency_name",
      ])
      .where(p("x.partnership_id"), "=", currentPartnership)
      .where(differenceVisibleTo(this.#ctx));
  }

  async #steps(trx: Trx, ids: string[]) {
    if (ids.length === 0) return [];
    return trx
      .selectFrom("escalation_steps as st")
      .innerJoin("users as u", (j) => onKey(j, "u.user_id", "st.recorded_by"))
      .select([
        "st.escalation_id",
        "st.stage",
        "st.started_on",
        "st.note",
        "u.display_name as recorded_by_name",
      ])
      .where(p("st.partnership_id"), "=", currentPartnership)
      .where("st.escalation_id", "in", ids)
      .orderBy("st.started_on")
      .execute();
  }

  #withState<T extends { escalation_id: string; raised_on: string; resolved_on: string | null }>(
    rows: T[],
    steps: { escalation_id: string; stage: EscalationStage; started_on: string }[],
  ) {
    const today = todayInEngland();
    return rows.map((x) => {
      const state = escalationState(
        steps
          .filter((st) => st.escalation_id === x.escalation_id)
          .map((st) => ({ stage: st.stage, startedOn: st.started_on })),
        x.resolved_on,
        today,
      );
      return {
        ...x,
        state,
        /** Working days since it was raised (to its resolution, if resolved). */
        ageWorkingDays: workingDaysBetween(x.raised_on, x.resolved_on ?? today),
      };
    });
  }

  /**
   * Differences the caller is a party to: open ones first (overdue, then oldest), then the resolved.
   * @param options - `open`: only unresolved ones; `limit`: at most this many.
   */
  listMine(options: { open?: boolean; limit?: number } = {}) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve([]);
    return this.#scope.run(async (trx) => {
      // An archived record (closed, past retention: src/retention) leaves the list; its differences
      // stay readable on their own pages.
      let query = this.#base(trx).where(notArchived(p("x.person_id")));
      if (options.open) query = query.where("x.resolved_on", "is", null);
      const rows = await query
        .orderBy(sql`x.resolved_on is null`, "desc")
        .orderBy("x.raised_on")
        .limit(options.limit ?? 500)
        .execute();
      const steps = await this.#steps(
        trx,
        rows.map((r) => r.escalation_id),
      );
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "escalations",
        recordId: ctx.userId,
        details: { differences: rows.length },
      });
      return this.#withState(rows, steps).sort(
        (a, b) =>
          Number(b.resolved_on === null) - Number(a.resolved_on === null) ||
          Number(b.state?.overdue ?? false) - Number(a.state?.overdue ?? false) ||
          (a.raised_on < b.raised_on ? -1 : a.raised_on > b.raised_on ? 1 : 0),
      );
    });
  }

  /** How many unresolved differences the caller is a party to (for the navigation). */
  countOpenMine(): Promise<number> {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(0);
    return this.#scope.run(async (trx) => {
      const row = await trx
        .selectFrom("escalations as x")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where(p("x.partnership_id"), "=", currentPartnership)
        .where("x.resolved_on", "is", null)
        .where(differenceVisibleTo(ctx))
        .where(notArchived(p("x.person_id")))
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    });
  }

  /** One difference, for a party; undefined for anyone else (the route answers 404, which is audited). */
  getDifference(escalationId: string) {
    const ctx = this.#ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const row = await this.#base(trx).where("x.escalation_id", "=", escalationId).executeTakeFirst();
      if (!row) return undefined;
      const steps = await this.#steps(trx, [escalationId]);
      const request = row.about_request_id
        ? await trx
            .selectFrom("support_requests")
            .select(["request_id", "decided_on", "outcome"])
            .where(p("partnership_id"), "=", currentPartnership)
            .where("request_id", "=", row.about_request_id)
            .executeTakeFirst()
        : undefined;
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "escalation",
        recordId: escalationId,
        details: { person_id: row.person_id },
      });
      const [withState] = this.#withState([row], steps);
      return { ...(withState as NonNullable<typeof withState>), steps, request };
    });
  }

  /**
   * What a new difference about this child can be about: the front door's decisions on the child's
   * requests, and the agencies involved with the child. Only for a caller who can open the child.
   */
  aboutOptions(personId: string) {
    const ctx = this.#ctx;
    const none = { requests: [], agencies: [] };
    if (!ctx) return Promise.resolve(none);
    return this.#scope.run(async (trx) => {
      if (!(await this.#scope.canOpenRecord(trx, personId, { childrenOnly: true }))) return none;
      const requests = await trx
        .selectFrom("support_requests")
        .select(["request_id", "decided_on", "outcome"])
        .where(p("partnership_id"), "=", currentPartnership)
        .where("person_id", "=", personId)
        .where("decided_by", "is not", null)
        .orderBy("decided_on", "desc")
        .execute();
      const agencies = await trx
        .selectFrom("involvements as i")
        .innerJoin("agencies as a", (j) => onKey(j, "a.agency_id", "i.agency_id"))
        .select(["a.agency_id", "a.name"])
        .distinct()
        .where(p("i.partnership_id"), "=", currentPartnership)
        .where("i.person_id", "=", personId)
        .where("i.ended_on", "is", null)
        .orderBy("a.name")
        .execute();
      return { requests, agencies };
    });
  }
}
