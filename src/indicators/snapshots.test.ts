// SPDX-License-Identifier: MIT
/**
 * Stored dashboard figures against a real database: computed once and served while the records are
 * unchanged; after an audited change, the last figures are shown as being recounted while one process
 * recomputes them; views leave them current; only one process holds the recomputation at a time.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { repositoryFor } from "../data/repository.ts";
import { withPartnershipScope } from "../db/database.ts";
import type { AgencyType, Role } from "../organisation/codes.ts";
import { accessContextFor, signInFor, TestClient } from "../test-support/harness.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";
import { settleBackgroundWork } from "./background.ts";
import { claimRefresh, dashboardAsOf, sourceVersion } from "./snapshots.ts";

const contextOf = (role: Role, agencyType?: AgencyType) =>
  accessContextFor(database, partnership, role, agencyType);

const referralsIn = (dashboard: Awaited<ReturnType<typeof analystDashboard>>) =>
  dashboard?.rows.find((r) => r.indicator.id === "referrals")?.latest.figure.numerator;

const analystDashboard = async () =>
  repositoryFor(database, await contextOf("analyst")).indicators.dashboard("2026-06-15");

/** A child children's social care works with, who the social worker may open. */
const childOfSocialCare = async (agencyId: string) =>
  (
    await database.unsafeOwnerDb
      .selectFrom("involvements")
      .select("person_id")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("agency_id", "=", agencyId)
      .orderBy("person_id")
      .executeTakeFirstOrThrow()
  ).person_id;

useTestApp({ children: 150 });

describe("stored dashboard figures", () => {
  it("are computed at the first view and served unchanged while no record changes", async () => {
    const first = await analystDashboard();
    assert.ok(first);
    assert.equal(first.freshness.refreshing, false);
    assert.ok(first.freshness.children >= 150);
    const second = await analystDashboard();
    assert.equal(second?.freshness.computedAt.getTime(), first.freshness.computedAt.getTime());
    assert.deepEqual(
      second?.rows.map((r) => r.latest.figure),
      first.rows.map((r) => r.latest.figure),
    );
  });

  it("stay current when someone only views a child's record", async () => {
    const socialWorker = await contextOf("practitioner", "childrens-social-care");
    const before = await withPartnershipScope(database, partnership.partnershipId, sourceVersion);
    const child = await childOfSocialCare(socialWorker.agencyId);
    assert.ok(await repositoryFor(database, socialWorker).people.getChildRecord(child));
    const viewed = await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("action")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("record_id", "=", child)
      .where("action", "=", "view")
      .execute();
    assert.ok(viewed.length > 0, "the view was audited");
    const afterView = await withPartnershipScope(database, partnership.partnershipId, sourceVersion);
    assert.equal(afterView, before);
    assert.equal((await analystDashboard())?.freshness.refreshing, false);
  });

  it("after a change, show the last figures as being recounted, then the new figures", async () => {
    const socialWorker = await contextOf("practitioner", "childrens-social-care");
    const before = await analystDashboard();
    const child = await childOfSocialCare(socialWorker.agencyId);
    const opened = await repositoryFor(database, socialWorker).pathways.openReferral(child, {
      referralDate: "2025-11-03",
      source: "2A",
      workerUserId: null,
    });
    assert.ok(opened.ok, JSON.stringify(opened));
    const stale = await analystDashboard();
    assert.equal(stale?.freshness.refreshing, true);
    assert.equal(referralsIn(stale), referralsIn(before), "the last figures are shown meanwhile");
    await settleBackgroundWork();
    const fresh = await analystDashboard();
    assert.equal(fresh?.freshness.refreshing, false);
    assert.equal(referralsIn(fresh), (referralsIn(before) ?? 0) + 1, "the new referral is counted");
  });

  it("are recomputed by one process at a time", async () => {
    const socialWorker = await contextOf("practitioner", "childrens-social-care");
    const child = await childOfSocialCare(socialWorker.agencyId);
    await repositoryFor(database, socialWorker).pathways.openReferral(child, {
      referralDate: "2025-12-01",
      source: "2A",
      workerUserId: null,
    });
    const asOf = dashboardAsOf("2026-06-15");
    const claims = await withPartnershipScope(database, partnership.partnershipId, async (trx) => [
      await claimRefresh(trx, "partnership", asOf),
      await claimRefresh(trx, "partnership", asOf),
    ]);
    assert.deepEqual(claims, [true, false]);
    // The lease is held, so this view recomputes nothing and still shows the earlier figures.
    const stale = await analystDashboard();
    assert.equal(stale?.freshness.refreshing, true);
    const waited = await repositoryFor(database, await contextOf("analyst")).indicators.dashboard(
      "2026-06-15",
      { wait: true },
    );
    assert.equal(waited?.freshness.refreshing, false);
  });

  it("cannot be claimed or read without a partnership", async () => {
    const claimed = await withPartnershipScope(database, undefined, (trx) =>
      claimRefresh(trx, "partnership", dashboardAsOf("2026-06-15")),
    );
    assert.equal(claimed, false);
    const rows = await withPartnershipScope(database, undefined, (trx) =>
      trx.selectFrom("indicator_snapshots").selectAll().execute(),
    );
    assert.deepEqual(rows, []);
  });

  it("say on the page when they were computed", async () => {
    const client = new TestClient(app);
    await client.signIn(signInFor(partnership, "analyst").email);
    const page = await client.get("/indicators");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /id="figures-computed"|id="figures-refreshing"/);
    await settleBackgroundWork();
  });
});
