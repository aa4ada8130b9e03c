// SPDX-License-Identifier: MIT
/**
 * The one door to the data: every method is classified, a missing context sees nothing, and a user of
 * partnership A cannot read or write any row of partnership B, through the repository or by raw SQL
 * under the application role (row-level security).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { AccountRepository } from "../account/account-repository.ts";
import { AssessmentsRepository } from "../assessments/assessments-repository.ts";
import { ToolLibraryRepository } from "../assessments/tool-library-repository.ts";
import { AuditTrailRepository } from "../audit/audit-trail-repository.ts";
import { ChronologyRepository } from "../chronology/chronology-repository.ts";
import { type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import { EscalationsRepository } from "../escalations/escalations-repository.ts";
import type { GeneratedPartnership } from "../generator/generate-partnership.ts";
import { WorklistRepository } from "../home/worklist-repository.ts";
import { ImportsRepository } from "../imports/imports-repository.ts";
import { IndicatorsRepository } from "../indicators/indicators-repository.ts";
import { AuditsRepository } from "../learning/audits/audits-repository.ts";
import { FeedbackRepository } from "../learning/feedback/feedback-repository.ts";
import { TrainingRepository } from "../learning/training/training-repository.ts";
import { NotificationsRepository } from "../notifications/notifications-repository.ts";
import type { Role } from "../organisation/codes.ts";
import { OrganisationRepository } from "../organisation/organisation-repository.ts";
import { CaseRepository } from "../pathways/front-door/case-repository.ts";
import { PathwaysRepository } from "../pathways/pathways-repository.ts";
import { PlansRepository } from "../pathways/plans/plans-repository.ts";
import { HouseholdsRepository } from "../people/households/households-repository.ts";
import { PeopleRepository } from "../people/people-repository.ts";
import { RetentionRepository } from "../retention/retention-repository.ts";
import { SettingsRepository } from "../settings/settings-repository.ts";
import { SignalsRepository } from "../signals/signals-repository.ts";
import { SsoRepository } from "../sso/sso-repository.ts";
import {
  contextOfUser,
  createTestPartnership,
  openTestDatabase,
  signInFor,
} from "../test-support/harness.ts";
import { unclassifiedMethods } from "../test-support/method-access.ts";
import type { AccessContext } from "./access-context.ts";
import { Repository, repositoryFor } from "./repository.ts";

const PARTNERSHIP_TABLES = [
  "partnerships",
  "agencies",
  "teams",
  "users",
  "invites",
  "sessions",
  "audit_log",
  "audit_chain_heads",
  "indicator_commentary",
  "indicator_snapshots",
  "board_report_jobs",
] as const;

let database: HearthDatabase;
let a: GeneratedPartnership;
let b: GeneratedPartnership;

const contextFor = (partnership: GeneratedPartnership, role: Role): Promise<AccessContext> =>
  contextOfUser(database, partnership.partnershipId, { userId: signInFor(partnership, role).userId });

before(async () => {
  database = await openTestDatabase();
  a = await createTestPartnership(database);
  b = await createTestPartnership(database);
});

after(async () => {
  await database.close();
});

describe("the repository's methods", () => {
  it("are each declared guarded or unguarded, in every area's repository", () => {
    for (const repository of [
      Repository,
      OrganisationRepository,
      AccountRepository,
      AuditTrailRepository,
      PeopleRepository,
      ChronologyRepository,
      AssessmentsRepository,
      PathwaysRepository,
      IndicatorsRepository,
      CaseRepository,
      HouseholdsRepository,
      SettingsRepository,
      PlansRepository,
      NotificationsRepository,
      WorklistRepository,
      EscalationsRepository,
      ToolLibraryRepository,
      SignalsRepository,
      ImportsRepository,
      AuditsRepository,
      TrainingRepository,
      FeedbackRepository,
      SsoRepository,
      RetentionRepository,
    ]) {
      const { undeclared, stale } = unclassifiedMethods(repository);
      assert.deepEqual(
        undeclared,
        [],
        `declare these in ${repository.name}.methodAccess: ${undeclared.join(", ")}`,
      );
      assert.deepEqual(
        stale,
        [],
        `${repository.name}.methodAccess declares methods that no longer exist: ${stale.join(", ")}`,
      );
    }
  });

  it("return nothing and change nothing without a context", async () => {
    const nobody = repositoryFor(database, undefined);
    const someUser = signInFor(b, "practitioner").userId;
    const results: Record<string, unknown> = {
      getPartnership: await nobody.organisation.getPartnership(),
      listAgencies: await nobody.organisation.listAgencies(),
      listTeams: await nobody.organisation.listTeams(),
      listUsers: await nobody.organisation.listUsers(),
      listUsersPage: (await nobody.organisation.listUsersPage()).users,
      getUser: await nobody.organisation.getUser(someUser),
      getMyAccount: await nobody.account.getMyAccount(),
      listMySessions: await nobody.account.listMySessions(),
      auditHistory: await nobody.auditTrail.auditHistory("user", someUser),
      recordDenial: await nobody.auditTrail.recordDenial({
        recordType: "user",
        recordId: someUser,
        details: {},
      }),
      listDenials: (await nobody.auditTrail.listDenials({})).rows,
      countUsersByRole: await nobody.organisation.countUsersByRole(),
      revokeMySession: await nobody.account.revokeMySession(someUser),
      revokeAllMySessions: await nobody.account.revokeAllMySessions(),
      setMyPendingSecondFactor: await nobody.account.setMyPendingSecondFactor("AAAA"),
      confirmMySecondFactor: await nobody.account.confirmMySecondFactor(1),
      createAgency: (await nobody.organisation.createAgency({ name: "Ghost agency", agencyType: "other" }))
        .ok,
      createTeam: (await nobody.organisation.createTeam({ agencyId: someUser, name: "Ghost team" })).ok,
      inviteUser: (
        await nobody.organisation.inviteUser({
          email: "ghost@x.example",
          displayName: "G",
          agencyId: someUser,
          teamId: null,
          role: "administrator",
        })
      ).ok,
      changeUserRole: (await nobody.organisation.changeUserRole(someUser, "administrator", "because")).ok,
      deactivateUser: (await nobody.organisation.deactivateUser(someUser, "because")).ok,
      resetSecondFactor: (await nobody.organisation.resetSecondFactor(someUser, "because")).ok,
    };
    const guarded = [OrganisationRepository, AccountRepository, AuditTrailRepository]
      .flatMap((repository) => Object.entries(repository.methodAccess))
      .filter(([, access]) => access === "guarded")
      .map(([name]) => name);
    assert.deepEqual(
      Object.keys(results).sort(),
      [...guarded].sort(),
      "every guarded method is exercised here",
    );
    for (const [name, value] of Object.entries(results)) {
      const empty =
        value === undefined || value === false || value === 0 || (Array.isArray(value) && value.length === 0);
      assert.ok(empty, `${name} gave ${JSON.stringify(value)} with no context`);
    }
    const ghost = await database.unsafeOwnerDb
      .selectFrom("agencies")
      .select("name")
      .where("name", "=", "Ghost agency")
      .execute();
    assert.equal(ghost.length, 0);
  });
});

describe("a user of partnership A", () => {
  it("cannot read any row of partnership B through the repository", async () => {
    const admin = repositoryFor(database, await contextFor(a, "administrator"));
    const bUser = signInFor(b, "practitioner").userId;
    assert.equal((await admin.organisation.getPartnership())?.partnership_id, a.partnershipId);
    const agencies = await admin.organisation.listAgencies();
    assert.ok(agencies.length > 0);
    assert.ok(agencies.every((agency) => agency.partnership_id === a.partnershipId));
    const users = await admin.organisation.listUsers();
    const bIds = new Set(b.signIns.map((s) => s.userId));
    assert.ok(users.length > 0);
    assert.ok(users.every((u) => !bIds.has(u.user_id)));
    assert.equal(await admin.organisation.getUser(bUser), undefined);
    assert.deepEqual(await admin.auditTrail.auditHistory("partnership", b.partnershipId), []);
    assert.equal((await admin.organisation.deactivateUser(bUser, "cross-partnership attempt")).ok, false);
    const stillActive = await database.unsafeOwnerDb
      .selectFrom("users")
      .select("deactivated_at")
      .where("user_id", "=", bUser)
      .executeTakeFirstOrThrow();
    assert.equal(stillActive.deactivated_at, null);
  });

  it("cannot read any row of partnership B by raw SQL under the application role", async () => {
    await withPartnershipScope(database, a.partnershipId, async (trx) => {
      const role = await sql<{ current_user: string }>`select current_user`.execute(trx);
      assert.equal(role.rows[0]?.current_user, "hearth_app");
      for (const table of PARTNERSHIP_TABLES) {
        const seen = await sql<{
          n: number;
        }>`select count(*)::int as n from ${sql.table(table)} where partnership_id = ${b.partnershipId}`.execute(
          trx,
        );
        assert.equal(seen.rows[0]?.n, 0, `${table}: rows of partnership B are visible`);
        const all = await sql<{
          n: number;
        }>`select count(*)::int as n from ${sql.table(table)} where partnership_id <> ${a.partnershipId}`.execute(
          trx,
        );
        assert.equal(all.rows[0]?.n, 0, `${table}: rows of another partnership are visible`);
      }
    });
  });

  it("cannot write a row into partnership B by raw SQL under the application role", async () => {
    const bAgency = await database.unsafeOwnerDb
      .selectFrom("agencies")
      .select("agency_id")
      .where("partnership_id", "=", b.partnershipId)
      .executeTakeFirstOrThrow();
    await assert.rejects(
      withPartnershipScope(database, a.partnershipId, (trx) =>
        trx
          .insertInto("teams")
          .values({
            partnership_id: b.partnershipId,
            team_id: crypto.randomUUID(),
            agency_id: bAgency.agency_id,
            name: "Intruders",
          })
          .execute(),
      ),
      /row-level security/,
    );
    const updated = await withPartnershipScope(database, a.partnershipId, (trx) =>
      trx
        .updateTable("users")
        .set({ role: "administrator" })
        .where("partnership_id", "=", b.partnershipId)
        .executeTakeFirst(),
    );
    assert.equal(Number(updated.numUpdatedRows), 0);
  });

  it("sees nothing at all by raw SQL when the transaction has no partnership", async () => {
    await withPartnershipScope(database, undefined, async (trx) => {
      for (const table of PARTNERSHIP_TABLES) {
        const seen = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(
          trx,
        );
        assert.equal(seen.rows[0]?.n, 0, `${table} is visible without a partnership`);
      }
    });
  });

  it("cannot change or remove audit rows, even in its own partnership", async () => {
    await assert.rejects(
      withPartnershipScope(database, a.partnershipId, (trx) =>
        trx.updateTable("audit_log").set({ reason: "rewritten" }).execute(),
      ),
      /permission denied|append-only/,
    );
    await assert.rejects(
      withPartnershipScope(database, a.partnershipId, (trx) => trx.deleteFrom("audit_log").execute()),
      /permission denied|append-only/,
    );
  });
});

describe("access within a partnership", () => {
  it("shows a practitioner only their own team, and a manager only their own agency", async () => {
    const practitionerContext = await contextFor(a, "practitioner");
    const practitioner = await repositoryFor(database, practitionerContext).organisation.listUsers();
    assert.ok(practitioner.length > 1);
    assert.ok(
      practitioner.every(
        (u) => u.team_id === practitionerContext.teamId || u.user_id === practitionerContext.userId,
      ),
    );
    const managerContext = await contextFor(a, "manager");
    const manager = await repositoryFor(database, managerContext).organisation.listUsers();
    assert.ok(manager.every((u) => u.agency_id === managerContext.agencyId));
    const everyone = await repositoryFor(
      database,
      await contextFor(a, "administrator"),
    ).organisation.listUsers();
    assert.ok(everyone.length > manager.length);
    // The paged list applies the same visibility.
    const practitionerPage = await repositoryFor(database, practitionerContext).organisation.listUsersPage();
    assert.deepEqual(
      practitionerPage.users.map((u) => u.user_id).sort(),
      practitioner.map((u) => u.user_id).sort(),
    );
    const managerPage = await repositoryFor(database, managerContext).organisation.listUsersPage({
      search: "",
    });
    assert.equal(managerPage.total, manager.length);
    const managerIds = new Set(manager.map((u) => u.user_id));
    assert.ok(managerPage.users.every((u) => managerIds.has(u.user_id)));
  });

  it("refuses administration to every role but administrator", async () => {
    for (const role of [
      "practitioner",
      "manager",
      "safeguarding-lead",
      "front-door",
      "analyst",
      "auditor",
    ] as const) {
      const repo = repositoryFor(database, await contextFor(a, role));
      const agency = (await repo.organisation.listAgencies())[0];
      assert.ok(agency);
      assert.equal(
        (await repo.organisation.createAgency({ name: `By ${role}`, agencyType: "other" })).ok,
        false,
        role,
      );
      assert.equal(
        (await repo.organisation.createTeam({ agencyId: agency.agency_id, name: `By ${role}` })).ok,
        false,
        role,
      );
      const invite = await repo.organisation.inviteUser({
        email: `${role}-invite@x.example`,
        displayName: "X",
        agencyId: agency.agency_id,
        teamId: null,
        role: "administrator",
      });
      assert.equal(invite.ok, false, role);
      const target = signInFor(a, "practitioner").userId;
      assert.equal(
        (await repo.organisation.changeUserRole(target, "administrator", "escalating")).ok,
        false,
        role,
      );
    }
  });

  it("lets only administrators and auditors read record history", async () => {
    const record = signInFor(a, "practitioner").userId;
    const admin = repositoryFor(database, await contextFor(a, "administrator"));
    await admin.organisation.getUser(record);
    assert.ok((await admin.auditTrail.auditHistory("user", record)).length > 0);
    assert.ok(
      (await repositoryFor(database, await contextFor(a, "auditor")).auditTrail.auditHistory("user", record))
        .length > 0,
    );
    for (const role of ["practitioner", "manager", "safeguarding-lead", "front-door", "analyst"] as const) {
      const repo = repositoryFor(database, await contextFor(a, role));
      assert.deepEqual(await repo.auditTrail.auditHistory("user", record), [], role);
      await repo.auditTrail.recordDenial({ recordType: "user", recordId: record, details: {} });
      assert.deepEqual((await repo.auditTrail.listDenials({})).rows, [], `${role} cannot list refusals`);
    }
    const auditor = repositoryFor(database, await contextFor(a, "auditor"));
    assert.ok((await auditor.auditTrail.listDenials({})).rows.some((row) => row.record_id === record));
  });
});

describe("audit in the same transaction", () => {
  it("records who changed what, when and why, and records nothing for a refused change", async () => {
    const adminContext = await contextFor(a, "administrator");
    const admin = repositoryFor(database, adminContext);
    const target = signInFor(a, "analyst").userId;
    const changed = await admin.organisation.changeUserRole(
      target,
      "auditor",
      "Moved to the quality assurance team",
    );
    assert.ok(changed.ok);
    const [latest] = await admin.auditTrail.auditHistory("user", target);
    assert.equal(latest?.action, "change-role");
    assert.equal(latest?.reason, "Moved to the quality assurance team");
    assert.deepEqual(latest?.details, { role: ["analyst", "auditor"] });
    assert.equal(latest?.actor_role, "administrator");
    assert.equal(latest?.ip, "127.0.0.1");

    const countBefore = (await admin.auditTrail.auditHistory("user", target)).length;
    const refusedChange = await admin.organisation.changeUserRole(target, "auditor", "again");
    assert.equal(refusedChange.ok, false);
    assert.equal((await admin.auditTrail.auditHistory("user", target)).length, countBefore);
  });

  it("keeps the invite and its audit row together: a clash writes neither", async () => {
    const admin = repositoryFor(database, await contextFor(a, "administrator"));
    const agency = (await admin.organisation.listAgencies())[0];
    assert.ok(agency);
    const existing = signInFor(a, "manager").email;
    const auditBefore = await database.unsafeOwnerDb
      .selectFrom("audit_chain_heads")
      .select("last_seq")
      .where("partnership_id", "=", a.partnershipId)
      .executeTakeFirstOrThrow();
    const clash = await admin.organisation.inviteUser({
      email: existing,
      displayName: "Dup",
      agencyId: agency.agency_id,
      teamId: null,
      role: "manager",
    });
    assert.deepEqual(clash, {
      ok: false,
      field: "email",
      message: "A user with this email address already exists",
    });
    const auditAfter = await database.unsafeOwnerDb
      .selectFrom("audit_chain_heads")
      .select("last_seq")
      .where("partnership_id", "=", a.partnershipId)
      .executeTakeFirstOrThrow();
    assert.equal(auditAfter.last_seq, auditBefore.last_seq);
  });
});
