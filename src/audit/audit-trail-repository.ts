// SPDX-License-Identifier: MIT
/**
 * Reading the audit trail (who viewed or changed a record; refused requests) and recording a refusal the
 * app answered with a 403 or 404. Administrators and auditors read; a row's content follows the record's
 * own rules ({@link auditContentVisibleTo}).
 */
import { sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import type { MethodAccess, RepositoryScope } from "../data/repository-scope.ts";
import { can } from "../kernel/policy.ts";
import { currentPartnership, onKey } from "../kernel/sql.ts";
import { auditContentVisibleTo } from "./audit-visibility.ts";

/** How many refusals one page of the denials list shows. */
export const DENIALS_PAGE_SIZE = 50;

/** Who answers "who has viewed or changed this record?" and reads the refusals. */
const mayReadAudit = (ctx: AccessContext | undefined): boolean =>
  ctx !== undefined && can(ctx.role, "audit.read");

export class AuditTrailRepository {
  static readonly methodAccess: Record<keyof AuditTrailRepository, MethodAccess> = {
    auditHistory: "guarded",
    recordDenial: "guarded",
    listDenials: "guarded",
  };

  readonly #scope: RepositoryScope;

  /** @param scope - The request's caller, transaction and audit writer. */
  constructor(scope: RepositoryScope) {
    this.#scope = scope;
  }

  /**
   * Who has viewed or changed a record, newest first. Administrators and auditors only. The rows' content
   * (field values, reasons) follows the record's own rules (see {@link auditContentVisibleTo}): where the
   * reader may not see it, `details` and `reason` are null and `changed_fields` names what changed.
   * @param recordType - For example "user", "agency", "team".
   * @param recordId - The record's id.
   */
  auditHistory(recordType: string, recordId: string) {
    const allowed = mayReadAudit(this.#scope.context);
    const visible = auditContentVisibleTo(this.#scope.context, recordType, recordId);
    return this.#scope.run((trx) =>
      trx
        .selectFrom("audit_log")
        .leftJoin("users", (join) => onKey(join, "users.user_id", "audit_log.actor_user_id"))
        .select([
          "audit_log.seq",
          "audit_log.occurred_at",
          "audit_log.action",
          "audit_log.actor_role",
          sql<string | null>`case when (${visible}) then audit_log.reason end`.as("reason"),
          "audit_log.ip",
          sql<Record<string, unknown> | null>`case when (${visible}) then audit_log.details end`.as(
            "details",
          ),
          sql<string[]>`array(select jsonb_object_keys(audit_log.details) order by 1)`.as("changed_fields"),
          sql<boolean>`not (${visible})`.as("content_hidden"),
          sql<boolean>`audit_log.reason is not null`.as("has_reason"),
          "users.display_name as actor_name",
        ])
        .where(sql.ref("audit_log.partnership_id"), "=", currentPartnership)
        .where(sql<boolean>`${allowed}`)
        .where("audit_log.record_type", "=", recordType)
        .where("audit_log.record_id", "=", recordId)
        .orderBy("audit_log.seq", "desc")
        .limit(500)
        .execute(),
    );
  }

  /**
   * Records a request the app refused (a 403, or a 404 for a record id), in the caller's own chain.
   * Without a caller nothing is written.
   * @returns Whether a row was written.
   */
  recordDenial(denial: {
    recordType: string;
    recordId: string;
    details: Record<string, unknown>;
  }): Promise<boolean> {
    if (!this.#scope.context) return Promise.resolve(false);
    return this.#scope.run(async (trx) => {
      await this.#scope.recordDenial(trx, denial);
      return true;
    });
  }

  /**
   * Refused reads and writes, newest first, by user and period. Administrators and auditors only.
   * @param filters - The user who was refused; the first and last day (inclusive, YYYY-MM-DD, London time).
   * @param page - From 1; each page holds {@link DENIALS_PAGE_SIZE} rows.
   * @returns The page's rows and whether there is another page.
   */
  async listDenials(
    filters: { userId?: string | undefined; from?: string | undefined; to?: string | undefined },
    page = 1,
  ) {
    const allowed = mayReadAudit(this.#scope.context);
    const rows = await this.#scope.run((trx) => {
      let query = trx
        .selectFrom("audit_log")
        .leftJoin("users", (join) => onKey(join, "users.user_id", "audit_log.actor_user_id"))
        .leftJoin("agencies", (join) => onKey(join, "agencies.agency_id", "audit_log.actor_agency_id"))
        .select([
          "audit_log.seq",
          "audit_log.occurred_at",
          "audit_log.actor_user_id",
          "audit_log.actor_role",
          "users.display_name as actor_name",
          "agencies.name as agency_name",
          "audit_log.record_type",
          "audit_log.record_id",
          "audit_log.ip",
          sql<string | null>`audit_log.details->>'method'`.as("method"),
          sql<string | null>`audit_log.details->>'route'`.as("route"),
        ])
        .where(sql.ref("audit_log.partnership_id"), "=", currentPartnership)
        .where(sql<boolean>`${allowed}`)
        .where("audit_log.action", "=", "denied");
      if (filters.userId) query = query.where(sql`audit_log.actor_user_id::text`, "=", filters.userId);
      if (filters.from)
        query = query.where(
          sql`audit_log.occurred_at`,
          ">=",
          sql`(${filters.from}::date)::timestamp at time zone 'Europe/London'`,
        );
      if (filters.to)
        query = query.where(
          sql`audit_log.occurred_at`,
          "<",
          sql`(${filters.to}::date + 1)::timestamp at time zone 'Europe/London'`,
        );
      return query
        .orderBy("audit_log.seq", "desc")
        .limit(DENIALS_PAGE_SIZE + 1)
        .offset((Math.max(1, page) - 1) * DENIALS_PAGE_SIZE)
        .execute();
    });
    return { rows: rows.slice(0, DENIALS_PAGE_SIZE), hasMore: rows.length > DENIALS_PAGE_SIZE };
  }
}
