// SPDX-License-Identifier: MIT
/**
 * Retention (issue 18): the partnership's rules, the monthly list of closed records due for review, and
 * archiving. Who may do what:
 * - the rules: administrators and safeguarding leads read and change them (a new version with a reason);
 * - the review list and archiving: the safeguarding lead, who acts as the partnership's
 *   information-governance lead for children's records (administrators never see a child's record);
 * - the archive: the safeguarding lead and the auditor (who reads archived records: child-access.ts).
 * Archiving never deletes: it is a row with who, when, why and the due date, written in the same
 * transaction as its audit row; the record then leaves search and the indicators.
 */
import { type RawBuilder, sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import { notArchived } from "../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
  type Trx,
} from "../data/repository-scope.ts";
import { type IsoDate, todayInEngland } from "../kernel/calendar.ts";
import { can } from "../kernel/policy.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../kernel/sql.ts";
import { notify } from "../notifications/notify.ts";
import {
  auditLogKeptUntil,
  monthBounds,
  type RetentionRules,
  recordClosedOn,
  retentionRulesInForce,
  reviewDueOn,
  ZRetentionRules,
} from "./rules.ts";

/** Who may set the retention rules: the owners of the partnership's settings. */
export const maySetRetentionRules = (ctx: AccessContext | undefined): ctx is AccessContext =>
  ctx !== undefined && can(ctx.role, "settings.manage");

/** Who reviews closed records and archives them: the information-governance lead for children's records. */
export const mayReviewRetention = (ctx: AccessContext | undefined): ctx is AccessContext =>
  ctx !== undefined && can(ctx.role, "retention.review");

/** Who reads the archive: the reviewer, and the auditor. */
export const mayReadArchive = (ctx: AccessContext | undefined): ctx is AccessContext =>
  ctx !== undefined && can(ctx.role, "retention.archived");

export type DueRecord = {
  person_id: string;
  given_names: string;
  family_name: string;
  date_of_birth: IsoDate | null;
  closed_on: IsoDate;
  due_on: IsoDate;
  audit_log_until: IsoDate;
};

/** The rules in force and their version (0 when none is saved), in the caller's transaction. */
const readRules = async (trx: Trx): Promise<RetentionRules & { version: number }> => {
  const latest = await trx
    .selectFrom("retention_rule_versions as v")
    .select(["v.version", "v.keep_until_age", "v.years_after_closure", "v.audit_log_extra_years"])
    .where(inCurrentPartnership("v.partnership_id"))
    .orderBy("v.version", "desc")
    .limit(1)
    .executeTakeFirst();
  const rules = retentionRulesInForce(
    latest && {
      keepUntilAge: latest.keep_until_age,
      yearsAfterClosure: latest.years_after_closure,
      auditLogExtraYears: latest.audit_log_extra_years,
    },
  );
  return { ...rules, version: latest?.version ?? 0 };
};

type ClosedRow = {
  person_id: string;
  given_names: string;
  family_name: string;
  date_of_birth: string | null;
  /** Every involvement's end (null while it continues), over the record and any merged into it. */
  involvement_ends: (string | null)[];
  /** Every social care episode's referral and closure (null while open), likewise. */
  episodes: { referralDate: string; closureDate: string | null }[];
};

/**
 * Closed, unarchived children's records that may be due by `monthEnd`: every involvement has ended and
 * every children's social care episode has closed by then (over the record and any merged into it), and
 * the coarse date bounds hold. The exact rules are the pure {@link recordClosedOn} and
 * {@link reviewDueOn}, applied to what this returns.
 */
const closedRecords = (
  trx: Trx,
  rules: RetentionRules,
  monthEnd: IsoDate,
  only?: string,
): Promise<{ rows: ClosedRow[] }> => {
  const person: RawBuilder<unknown> = sql.ref("p.person_id");
  return sql<ClosedRow>`select p.person_id, p.given_names, p.family_name, p.date_of_birth::text as date_of_birth,
        c.involvement_ends, e.episodes
      from people p
      cross join lateral (
        select max(i.ended_on) as closed_on,
               coalesce(bool_or(i.ended_on is null or i.ended_on > ${monthEnd}::date), false) as still_open,
               coalesce(array_agg(i.ended_on::text) filter (where i.involvement_id is not null), '{}') as involvement_ends
          from hearth_person_cluster(p.person_id) pc
          join involvements i on i.partnership_id = ${currentPartnership} and i.person_id = pc.person_id
      ) c
      cross join lateral (
        select max(ep.closure_date) as closed_on,
               coalesce(bool_or(ep.closure_date is null or ep.closure_date > ${monthEnd}::date
                 or ep.referral_date > ${monthEnd}::date), false) as still_open,
               coalesce(json_agg(json_build_object('referralDate', ep.referral_date::text,
                 'closureDate', ep.closure_date::text)), '[]'::json) as episodes
          from hearth_person_cluster(p.person_id) pc
          join csc_events r on r.partnership_id = ${currentPartnership} and r.person_id = pc.person_id
            and r.event_type = 'referral'
          cross join lateral (
            select r.occurred_on as referral_date,
                   (select max(x.occurred_on) from csc_events x
                     where x.partnership_id = r.partnership_id and x.person_id = r.person_id
                       and x.episode_id = r.event_id and x.event_type = 'closure') as closure_date
          ) ep
      ) e
      where p.partnership_id = ${currentPartnership}
        and p.kind = 'child'
        and p.merged_into_person_id is null
        and ${only === undefined ? sql`true` : sql`p.person_id = ${only}`}
        and ${notArchived(person)}
        and greatest(c.closed_on, e.closed_on) is not null
        and not c.still_open
        and not e.still_open
        and greatest(c.closed_on, e.closed_on) <= ${monthEnd}::date - make_interval(years => ${rules.yearsAfterClosure}) + interval '1 day'
        and (p.date_of_birth is null
             or p.date_of_birth <= ${monthEnd}::date - make_interval(years => ${rules.keepUntilAge}) + interval '1 day')
      order by p.family_name, p.given_names`.execute(trx);
};

/** The exact rules over the coarse rows: closed, and due on or before the month's end, soonest first. */
const dueBy = (rows: ClosedRow[], rules: RetentionRules, monthEnd: IsoDate): DueRecord[] =>
  rows
    .flatMap(({ involvement_ends, episodes, ...row }) => {
      const closedOn = recordClosedOn({ involvementEnds: involvement_ends, episodes }, monthEnd);
      const due = reviewDueOn({ dateOfBirth: row.date_of_birth, closedOn }, rules);
      return closedOn !== null && due !== null && due <= monthEnd
        ? [{ ...row, closed_on: closedOn, due_on: due, audit_log_until: auditLogKeptUntil(due, rules) }]
        : [];
    })
    .sort((a, b) => a.due_on.localeCompare(b.due_on) || a.family_name.localeCompare(b.family_name));

/**
 * Tells the partnership's safeguarding leads (who review closed records) that a month's review list is
 * ready, when it has any record on it: once per month and lead (the de-duplication key), however often it
 * runs (`hearth reminders`, daily from cron). The notification carries the count and a link to the list,
 * never a child's name; the list applies its own access rule and audit when opened.
 * @param month - YYYY-MM; the current month in England by default.
 * @returns How many notifications were made.
 */
export const remindRetentionReviewIn = async (
  trx: Trx,
  partnershipId: string,
  month: string = todayInEngland().slice(0, 7),
): Promise<number> => {
  const bounds = monthBounds(month);
  if (!bounds) throw new Error(`not a month: ${month}`);
  const rules = await readRules(trx);
  const { rows } = await closedRecords(trx, rules, bounds.last);
  const due = dueBy(rows, rules, bounds.last).length;
  if (due === 0) return 0;
  const leads = await trx
    .selectFrom("users")
    .select("user_id")
    .where(inCurrentPartnership("partnership_id"))
    .where("role", "=", "safeguarding-lead")
    .where("deactivated_at", "is", null)
    .execute();
  return notify(trx, partnershipId, {
    kind: "retention-review-due",
    recipients: leads.map((l) => l.user_id),
    subject: `Retention review list for ${month} is ready`,
    body: `${due} closed ${due === 1 ? "record is" : "records are"} due for review by ${bounds.last}. Review each and archive it, with a reason, or keep it.`,
    link: `/retention?month=${month}`,
    dedupeKey: `retention-review-due:${month}`,
  });
};

export class RetentionRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<Exclude<keyof RetentionRepository, never>, MethodAccess> = {
    rulesPage: "guarded",
    saveRules: "guarded",
    reviewList: "guarded",
    reviewRecord: "guarded",
    archive: "guarded",
    archivedRecords: "guarded",
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  /** The rules in force and every saved version, newest first. Audited. */
  rulesPage() {
    const ctx = this.#scope.context;
    if (!maySetRetentionRules(ctx)) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const current = await readRules(trx);
      const versions = await trx
        .selectFrom("retention_rule_versions as v")
        .innerJoin("users as u", (j) => onKey(j, "u.user_id", "v.changed_by"))
        .select([
          "v.version",
          "v.keep_until_age",
          "v.years_after_closure",
          "v.audit_log_extra_years",
          "v.reason",
          "v.changed_at",
          "u.display_name as changed_by_name",
        ])
        .where(inCurrentPartnership("v.partnership_id"))
        .orderBy("v.version", "desc")
        .execute();
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "retention-rules",
        recordId: ctx.partnershipId,
        details: { versions: versions.length },
      });
      return { current, versions };
    });
  }

  /**
   * Saves a new version of the rules, audited in the same transaction with before, after and the reason.
   * @param rules - The whole rules.
   * @param reason - Why (kept with the version and in the audit row).
   */
  saveRules(rules: RetentionRules, reason: string): Promise<ChangeResult<{ version: number }>> {
    const ctx = this.#scope.context;
    if (!maySetRetentionRules(ctx))
      return Promise.resolve(
        deniedAccess("Only administrators and safeguarding leads can change the retention rules"),
      );
    const why = reason.trim();
    if (why === "") return Promise.resolve(refused("Enter why the retention rules are changing", "reason"));
    if (why.length > 2000)
      return Promise.resolve(refused("The reason must be 2000 characters or fewer", "reason"));
    const parsed = ZRetentionRules.safeParse(rules);
    if (!parsed.success) return Promise.resolve(refused("Check the retention rules", "keepUntilAge"));
    return this.#scope.run(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('retention:' || ${ctx.partnershipId}))`.execute(trx);
      const before = await readRules(trx);
      const version = before.version + 1;
      await trx
        .insertInto("retention_rule_versions")
        .values({
          partnership_id: ctx.partnershipId,
          version,
          keep_until_age: parsed.data.keepUntilAge,
          years_after_closure: parsed.data.yearsAfterClosure,
          audit_log_extra_years: parsed.data.auditLogExtraYears,
          reason: why,
          changed_by: ctx.userId,
        })
        .execute();
      const { version: _, ...was } = before;
      await this.#scope.audit(trx, {
        action: "change",
        recordType: "retention-rules",
        recordId: ctx.partnershipId,
        reason: why,
        details: { version, before: was, after: parsed.data },
      });
      return done({ version });
    });
  }

  /**
   * The closed records due for review by the end of a month (those due earlier and not yet archived
   * included), under the rules in force. Audited as a view of the list.
   * @param month - YYYY-MM.
   */
  reviewList(month: string) {
    const ctx = this.#scope.context;
    const bounds = monthBounds(month);
    if (!mayReviewRetention(ctx) || !bounds) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const rules = await readRules(trx);
      const { rows } = await closedRecords(trx, rules, bounds.last);
      const records = dueBy(rows, rules, bounds.last);
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "retention-review",
        recordId: month,
        details: { records: records.length, ruleVersion: rules.version },
      });
      return { month, monthEnd: bounds.last, rules, records };
    });
  }

  /**
   * One record on this month's review list, for the archive form; undefined when it is not on the list
   * (open, not yet due, already archived, or not a child's record the caller may review).
   */
  reviewRecord(personId: string) {
    const ctx = this.#scope.context;
    if (!mayReviewRetention(ctx)) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const found = await this.#due(trx, personId);
      if (!found) return undefined;
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "retention-review" },
      });
      return found;
    });
  }

  async #due(trx: Trx, personId: string) {
    if (!/^[0-9a-f-]{36}$/i.test(personId)) return undefined;
    const rules = await readRules(trx);
    const monthEnd = monthBounds(todayInEngland().slice(0, 7))?.last ?? todayInEngland();
    const { rows } = await closedRecords(trx, rules, monthEnd, personId);
    const record = dueBy(rows, rules, monthEnd)[0];
    return record ? { record, rules } : undefined;
  }

  /**
   * Archives a closed record on this month's review list, with a reason, audited in the same
   * transaction. Nothing is deleted; the record leaves search and the indicators.
   */
  archive(personId: string, reason: string): Promise<ChangeResult<{ dueOn: IsoDate }>> {
    const ctx = this.#scope.context;
    if (!mayReviewRetention(ctx))
      return Promise.resolve(deniedAccess("Only the safeguarding lead can archive a record after review"));
    const why = reason.trim();
    if (why === "") return Promise.resolve(refused("Enter why the record is being archived", "reason"));
    if (why.length > 2000)
      return Promise.resolve(refused("The reason must be 2000 characters or fewer", "reason"));
    return this.#scope.run(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('retention:' || ${ctx.partnershipId}))`.execute(trx);
      const found = await this.#due(trx, personId);
      if (!found)
        return refused(
          "This record is not due for review: it is open, not yet due, or already archived",
          "reason",
        );
      await trx
        .insertInto("record_archives")
        .values({
          partnership_id: ctx.partnershipId,
          person_id: personId,
          archived_by: ctx.userId,
          reason: why,
          due_on: found.record.due_on,
          rule_version: found.rules.version,
        })
        .execute();
      await this.#scope.audit(trx, {
        action: "archive",
        recordType: "person",
        recordId: personId,
        reason: why,
        details: {
          closedOn: found.record.closed_on,
          dueOn: found.record.due_on,
          auditLogKeptUntil: found.record.audit_log_until,
          ruleVersion: found.rules.version,
        },
      });
      return done({ dueOn: found.record.due_on });
    });
  }

  /** Every archived record, newest first, with who archived it, when and why. Audited. */
  archivedRecords() {
    const ctx = this.#scope.context;
    if (!mayReadArchive(ctx)) return Promise.resolve(undefined);
    return this.#scope.run(async (trx) => {
      const rows = await trx
        .selectFrom("record_archives as r")
        .innerJoin("people as p", (j) => onKey(j, "p.person_id", "r.person_id"))
        .innerJoin("users as u", (j) => onKey(j, "u.user_id", "r.archived_by"))
        .select([
          "r.person_id",
          "p.given_names",
          "p.family_name",
          "p.date_of_birth",
          "r.archived_at",
          "r.reason",
          "r.due_on",
          "u.display_name as archived_by_name",
        ])
        .where(inCurrentPartnership("r.partnership_id"))
        .orderBy("r.archived_at", "desc")
        .execute();
      await this.#scope.audit(trx, {
        action: "view",
        recordType: "retention-archive",
        recordId: ctx.partnershipId,
        details: { records: rows.length },
      });
      return rows;
    });
  }
}
