// SPDX-License-Identifier: MIT
/**
 * A second person's authorisation of a plan or an assessment record: its author sends the current version
 * to a manager of their agency, who authorises it or returns it with the reason; the author can never
 * authorise their own work (refused here, and by a CHECK in the database). Both are told. Part of
 * `request.repo.plans` (./plans-repository.ts).
 */

import { AreaRepository } from "../../data/area-repository.ts";
import { childVisibleTo, notArchived } from "../../data/child-access.ts";
import {
  type ChangeResult,
  deniedAccess,
  done,
  type MethodAccess,
  type RepositoryScope,
  refused,
  type Trx,
} from "../../data/repository-scope.ts";
import { currentPartnership, inCurrentPartnership, onKey } from "../../kernel/sql.ts";
import { notify } from "../../notifications/notify.ts";
import { mayRecordSocialCare } from "../social-care-access.ts";
import {
  AUTHORISATION_SUBJECTS,
  type AuthorisationDecision,
  type AuthorisationSubject,
  PLAN_TYPES,
  type PlanType,
} from "./codes.ts";
import {
  auditView,
  authorisationsWithAuthor,
  canOpenChild,
  childOf,
  latestVersion,
  loadPlan,
  loadRecord,
  mayWritePlan,
  p,
  undecided,
} from "./plan-queries.ts";
import { mayDecideAuthorisation } from "./plan-rules.ts";

export type AwaitingAuthorisation = {
  authorisationId: string;
  subjectType: AuthorisationSubject;
  subjectLabel: string;
  personId: string;
  childName: string;
  submittedBy: string;
  submittedAt: Date;
  href: string;
};

/** What an authorisation is of, for a page or a notification: "Child protection plan, version 2". */
const subjectLabel = (row: {
  subject_type: AuthorisationSubject;
  plan_type: PlanType | null;
  subject_version: number;
}) => {
  const what =
    row.subject_type === "plan" && row.plan_type
      ? PLAN_TYPES[row.plan_type]
      : AUTHORISATION_SUBJECTS[row.subject_type];
  return `${what}, version ${row.subject_version}`;
};

/** The page of the version an authorisation is of. */
const subjectHref = (row: {
  subject_type: AuthorisationSubject;
  person_id: string;
  plan_id: string | null;
  record_id: string | null;
  subject_version: number;
}) =>
  row.subject_type === "plan"
    ? `/people/${row.person_id}/plans/${row.plan_id}?version=${row.subject_version}`
    : `/people/${row.person_id}/records/${row.record_id}?version=${row.subject_version}`;

/** An authorisation with its author, decision and plan type, if the caller may open its child. */
const loadAuthorisation = async (scope: RepositoryScope, trx: Trx, authorisationId: string) => {
  const row = await authorisationsWithAuthor(trx)
    .leftJoin("plans as pl", (j) => onKey(j, "pl.plan_id", "z.plan_id"))
    .selectAll("z")
    .select([
      "author.display_name as author_name",
      "d.decision",
      "d.reason",
      "d.decided_at",
      "d.decided_by",
      "pl.plan_type",
    ])
    .where("z.authorisation_id", "=", authorisationId)
    .executeTakeFirst();
  if (!row || !(await canOpenChild(scope, trx, row.person_id))) return undefined;
  return row;
};

export class AuthorisationsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof AuthorisationsRepository, MethodAccess> = {
    listManagers: "guarded",
    submitForAuthorisation: "guarded",
    getAuthorisation: "guarded",
    decideAuthorisation: "guarded",
    listAwaitingMyAuthorisation: "guarded",
  };

  /** Managers in the caller's own agency, who can authorise the caller's work (never the caller). */
  listManagers() {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve([]);
    return this.scope.run((trx) =>
      trx
        .selectFrom("users as u")
        .leftJoin("teams as t", (j) => onKey(j, "t.team_id", "u.team_id"))
        .select(["u.user_id", "u.display_name", "t.name as team_name"])
        .where(p("u.partnership_id"), "=", currentPartnership)
        .where("u.agency_id", "=", ctx.agencyId)
        .where("u.role", "=", "manager")
        .where("u.deactivated_at", "is", null)
        .where("u.user_id", "<>", ctx.userId)
        .orderBy("t.name")
        .orderBy("u.display_name")
        .execute(),
    );
  }

  /**
   * Sends the current version of a plan or an assessment record to a manager to authorise. Only its
   * author submits it, to a manager of their agency who is not themself; the manager is told.
   */
  submitForAuthorisation(input: {
    subjectType: AuthorisationSubject;
    subjectId: string;
    managerUserId: string;
  }): Promise<ChangeResult<{ authorisationId: string }>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("You cannot submit work for authorisation"));
    return this.scope.run(async (trx) => {
      let personId: string;
      let version: number;
      let author: string;
      if (input.subjectType === "plan") {
        const plan = await loadPlan(this.scope, trx, input.subjectId);
        if (!plan) return deniedAccess("Plan not found");
        if (!(await mayWritePlan(this.scope, trx, ctx, plan)))
          return deniedAccess("You cannot submit this plan");
        version = await latestVersion(trx, plan.plan_id);
        const row = await trx
          .selectFrom("plan_versions")
          .select("recorded_by")
          .where(inCurrentPartnership())
          .where("plan_id", "=", plan.plan_id)
          .where("version", "=", version)
          .executeTakeFirstOrThrow();
        author = row.recorded_by;
        personId = plan.person_id;
      } else {
        const record = await loadRecord(this.scope, trx, input.subjectId);
        if (!record) return deniedAccess("Record not found");
        if (record.record_type !== "assessment") return refused("Only assessments are authorised");
        if (!(await mayRecordSocialCare(this.scope, trx, ctx)))
          return deniedAccess("You cannot submit this record");
        const row = await trx
          .selectFrom("casework_record_versions")
          .select(["version", "recorded_by"])
          .where(inCurrentPartnership())
          .where("record_id", "=", record.record_id)
          .orderBy("version", "desc")
          .executeTakeFirstOrThrow();
        version = row.version;
        author = row.recorded_by;
        personId = record.person_id;
      }
      if (author !== ctx.userId) return refused("Only the author of the current version submits it");
      const pending = await trx
        .selectFrom("authorisations as z")
        .select("z.authorisation_id")
        .where(p("z.partnership_id"), "=", currentPartnership)
        .where(input.subjectType === "plan" ? "z.plan_id" : "z.record_id", "=", input.subjectId)
        .where(undecided)
        .executeTakeFirst();
      if (pending) return refused("This is already waiting for authorisation", "managerUserId");
      const manager = await trx
        .selectFrom("users")
        .select("user_id")
        .where(inCurrentPartnership())
        .where("user_id", "=", input.managerUserId)
        .where("agency_id", "=", ctx.agencyId)
        .where("role", "=", "manager")
        .where("deactivated_at", "is", null)
        .executeTakeFirst();
      if (!manager || input.managerUserId === ctx.userId)
        return refused("Select a manager, other than yourself, to authorise this", "managerUserId");
      const authorisationId = crypto.randomUUID();
      await trx
        .insertInto("authorisations")
        .values({
          partnership_id: ctx.partnershipId,
          authorisation_id: authorisationId,
          person_id: personId,
          subject_type: input.subjectType,
          record_id: input.subjectType === "assessment" ? input.subjectId : null,
          plan_id: input.subjectType === "plan" ? input.subjectId : null,
          subject_version: version,
          author_user_id: author,
          manager_user_id: input.managerUserId,
        })
        .execute();
      await this.scope.audit(trx, {
        action: "submit-for-authorisation",
        recordType: "authorisation",
        recordId: authorisationId,
        details: {
          person_id: personId,
          subject_type: input.subjectType,
          subject_id: input.subjectId,
          version,
          manager_user_id: input.managerUserId,
        },
      });
      await notify(trx, ctx.partnershipId, {
        kind: "authorisation-requested",
        recipients: [input.managerUserId],
        subject: `${input.subjectType === "plan" ? "A plan" : "An assessment"} is waiting for your authorisation`,
        body: `Version ${version}, submitted for authorisation.`,
        link: `/authorisations/${authorisationId}`,
        personId,
        actorUserId: ctx.userId,
      });
      return done({ authorisationId });
    });
  }

  /**
   * An authorisation, for its author and the manager it was sent to (and others who may open the
   * child), with whether the caller may decide it. Audited as a view of the child's record.
   */
  getAuthorisation(authorisationId: string) {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const row = await loadAuthorisation(this.scope, trx, authorisationId);
      if (!row) return undefined;
      const child = await childOf(trx, row.person_id);
      const may = mayDecideAuthorisation(ctx.userId, {
        authorUserId: row.author_user_id,
        managerUserId: row.manager_user_id,
        decided: row.decision !== null,
      });
      await auditView(this.scope, trx, row.person_id, {
        page: "authorisation",
        authorisation_id: authorisationId,
      });
      return {
        authorisation: row,
        child,
        subjectLabel: subjectLabel(row),
        subjectHref: subjectHref(row),
        mayDecide: may.ok,
        whyNot: may.ok ? null : may.message,
      };
    });
  }

  /**
   * A manager's decision: authorised, or returned to the author with the reason. Never by the author
   * (refused here; the database's CHECK refuses it too). The author is told.
   */
  decideAuthorisation(
    authorisationId: string,
    decision: AuthorisationDecision,
    reason: string,
  ): Promise<ChangeResult<null>> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(refused("You cannot authorise"));
    return this.scope.run(async (trx) => {
      const row = await loadAuthorisation(this.scope, trx, authorisationId);
      if (!row) return deniedAccess("Authorisation not found");
      const may = mayDecideAuthorisation(ctx.userId, {
        authorUserId: row.author_user_id,
        managerUserId: row.manager_user_id,
        decided: row.decision !== null,
      });
      if (!may.ok)
        return ctx.userId === row.author_user_id || ctx.userId !== row.manager_user_id
          ? deniedAccess(may.message)
          : refused(may.message);
      if (decision === "returned" && reason.trim() === "")
        return refused("Enter why you are returning it, so the author knows what to change", "reason");
      await trx
        .insertInto("authorisation_decisions")
        .values({
          partnership_id: ctx.partnershipId,
          authorisation_id: authorisationId,
          author_user_id: row.author_user_id,
          decision,
          reason: reason.trim() || null,
          decided_by: ctx.userId,
        })
        .execute();
      await this.scope.audit(trx, {
        action: decision === "authorised" ? "authorise" : "return",
        recordType: "authorisation",
        recordId: authorisationId,
        reason: reason.trim() || null,
        details: { person_id: row.person_id, decision: [null, decision] },
      });
      const child = await childOf(trx, row.person_id);
      const childName = `${child.given_names} ${child.family_name}`;
      const label = row.subject_type === "plan" ? "A plan" : "An assessment";
      await notify(trx, ctx.partnershipId, {
        kind: "authorisation-decided",
        recipients: [row.author_user_id],
        subject:
          decision === "authorised"
            ? `${label} for ${childName} was authorised`
            : `${label} for ${childName} was returned to you`,
        body: decision === "authorised" ? "Authorised." : `Returned: ${reason.trim()}`,
        link: subjectHref(row),
        personId: row.person_id,
        actorUserId: ctx.userId,
      });
      return done(null);
    });
  }

  /**
   * Plans and assessments sent to the caller to authorise and not yet decided, oldest first, for the
   * manager's home page. Only children the caller may open.
   */
  listAwaitingMyAuthorisation(): Promise<AwaitingAuthorisation[]> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve([]);
    return this.scope.run(async (trx) => {
      const rows = await trx
        .selectFrom("authorisations as z")
        .innerJoin("people as c", (j) => onKey(j, "c.person_id", "z.person_id"))
        .innerJoin("users as author", (j) => onKey(j, "author.user_id", "z.author_user_id"))
        .leftJoin("plans as pl", (j) => onKey(j, "pl.plan_id", "z.plan_id"))
        .select([
          "z.authorisation_id",
          "z.subject_type",
          "z.subject_version",
          "z.person_id",
          "z.plan_id",
          "z.record_id",
          "z.submitted_at",
          "pl.plan_type",
          "c.given_names",
          "c.family_name",
          "author.display_name as author_name",
        ])
        .where(p("z.partnership_id"), "=", currentPartnership)
        .where("z.manager_user_id", "=", ctx.userId)
        .where(undecided)
        .where(childVisibleTo(ctx, p("z.person_id")))
        // An archived record (closed, past retention: src/retention) leaves the worklist.
        .where(notArchived(p("z.person_id")))
        .orderBy("z.submitted_at")
        .execute();
      return rows.map((r) => ({
        authorisationId: r.authorisation_id,
        subjectType: r.subject_type,
        subjectLabel: subjectLabel(r),
        personId: r.person_id,
        childName: `${r.given_names} ${r.family_name}`,
        submittedBy: r.author_name,
        submittedAt: r.submitted_at,
        href: `/authorisations/${r.authorisation_id}`,
      }));
    });
  }
}
