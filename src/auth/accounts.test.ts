// SPDX-License-Identifier: MIT
/**
 * Accounts across partnerships in one database: an email address names one account, so a failure counts
 * against that account alone; per-client throttling; second-factor secrets are random and the demo's code
 * comes from the stored secret.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { unsafeStoredTotpSecret } from "../cli/totp-code.ts";
import type { HearthDatabase } from "../db/database.ts";
import {
  DEMO_PASSWORD,
  type GeneratedPartnership,
  generatePartnership,
} from "../generator/generate-partnership.ts";
import {
  createTestPartnership,
  openTestDatabase,
  signInFor,
  startTestApp,
  TestClient,
} from "../test-support/harness.ts";
import { signInWithPassword } from "./session-store.ts";
import {
  afterFailure,
  backOffMs,
  CLIENT_FREE_FAILURES,
  ClientThrottle,
  FORGET_AFTER_MS,
  MAX_WAIT_MS,
  secondsToWait,
} from "./throttle.ts";
import { acceptTotpCode, currentTotpCode } from "./totp.ts";

let database: HearthDatabase;
let a: GeneratedPartnership;
let b: GeneratedPartnership;

before(async () => {
  database = await openTestDatabase();
  a = await createTestPartnership(database, 20);
  b = await createTestPartnership(database, 20);
});

after(async () => {
  await database.close();
});

const auditCount = async (partnershipId: string, action: string) =>
  (
    await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("seq")
      .where("partnership_id", "=", partnershipId)
      .where("action", "=", action)
      .execute()
  ).length;

describe("an email address", () => {
  it("names one account in the whole database: another partnership cannot invite it, in any case", async () => {
    const taken = signInFor(a, "practitioner").email;
    const app = await startTestApp(database);
    try {
      const admin = new TestClient(app);
      await admin.signIn(signInFor(b, "administrator").email, { totpSecret: b.administratorTotpSecret });
      await admin.get("/admin/users/new");
      const agency = await database.unsafeOwnerDb
        .selectFrom("agencies")
        .select("agency_id")
        .where("partnership_id", "=", b.partnershipId)
        .executeTakeFirstOrThrow();
      const response = await admin.post("/admin/users", {
        displayName: "Someone Else",
        email: taken.toUpperCase(),
        agencyId: agency.agency_id,
        teamId: "",
        role: "practitioner",
      });
      assert.equal(response.statusCode, 400);
      assert.ok(response.body.includes("A user with this email address already exists"));
      const inB = await database.unsafeOwnerDb
        .selectFrom("users")
        .select("user_id")
        .where("partnership_id", "=", b.partnershipId)
        .where("email", "=", taken)
        .execute();
      assert.equal(inB.length, 0, "no account was made");
    } finally {
      await app.close();
    }
  });

  it("is unique in the database itself, whatever writes it", async () => {
    const admin = await database.unsafeOwnerDb
      .selectFrom("users")
      .selectAll()
      .where("partnership_id", "=", b.partnershipId)
      .where("role", "=", "administrator")
      .executeTakeFirstOrThrow();
    await assert.rejects(
      database.unsafeOwnerDb
        .insertInto("users")
        .values({ ...admin, user_id: crypto.randomUUID(), email: signInFor(a, "manager").email })
        .execute(),
      /users_email_unique|duplicate key/,
    );
  });

  it("takes failures against its own account only: the other partnership's users sign in as before", async () => {
    const target = signInFor(a, "auditor").email;
    const app = await startTestApp(database);
    try {
      const stranger = new TestClient(app);
      await stranger.get("/sign-in");
      const failedInA = await auditCount(a.partnershipId, "sign-in-failed");
      const failedInB = await auditCount(b.partnershipId, "sign-in-failed");
      for (let attempt = 1; attempt <= 6; attempt += 1)
        await stranger.post("/sign-in", { email: target, password: `guess ${attempt}` });
      assert.equal(
        await auditCount(a.partnershipId, "sign-in-failed"),
        failedInA + 5,
        "in A's own audit chain",
      );
      assert.equal(await auditCount(b.partnershipId, "sign-in-failed"), failedInB, "nothing in B's");
      const inB = await new TestClient(app).signIn(signInFor(b, "auditor").email);
      assert.equal(inB.headers.location, "/");
    } finally {
      await app.close();
    }
  });
});

describe("the sign-in throttle", () => {
  it("waits 1 second after the free failures, doubling to a cap of five minutes", () => {
    assert.deepEqual(
      [4, 5, 6, 7, 13, 14, 1000].map((failures) => backOffMs(failures, 5)),
      [0, 1_000, 2_000, 4_000, 256_000, MAX_WAIT_MS, MAX_WAIT_MS],
    );
    assert.equal(MAX_WAIT_MS, 300_000);
  });

  it("forgets failures after an hour without one", () => {
    const start = new Date("2026-01-01T09:00:00Z");
    let state = afterFailure(undefined, start, 5);
    for (let n = 0; n < 9; n += 1) state = afterFailure(state, start, 5);
    assert.equal(state.failures, 10);
    const later = new Date(start.getTime() + FORGET_AFTER_MS + 1);
    assert.deepEqual(afterFailure(state, later, 5), { failures: 1, lastFailureAt: later, notBefore: null });
    assert.equal(secondsToWait(state, later), 0);
  });

  it("slows a client that tries many addresses, without slowing other clients", async () => {
    const clients = new ClientThrottle();
    const policy = { idleMinutes: 30, absoluteHours: 12 };
    const attempt = (email: string, password: string, ip: string) =>
      signInWithPassword(database, policy, clients, { email, password, ip, userAgent: null });
    for (let n = 0; n < CLIENT_FREE_FAILURES; n += 1) {
      const outcome = await attempt(
        `guess-${n}-${crypto.randomUUID()}@hearth.example`,
        "wrong",
        "203.0.113.9",
      );
      assert.equal(outcome.kind, "wrong-credentials");
    }
    const email = signInFor(b, "analyst").email;
    assert.deepEqual(await attempt(email, DEMO_PASSWORD, "203.0.113.9"), {
      kind: "throttled",
      retryAfterSeconds: 1,
    });
    assert.equal((await attempt(email, DEMO_PASSWORD, "198.51.100.4")).kind, "signed-in");
  });
});

describe("second-factor secrets", () => {
  it("are random: two generated partnerships' administrators have different ones", () => {
    assert.notEqual(a.administratorTotpSecret, b.administratorTotpSecret);
    assert.match(a.administratorTotpSecret, /^[A-Z2-7]{32}$/);
  });

  it("are read from the database for `hearth totp-code`, and its code is accepted", async () => {
    const email = signInFor(a, "administrator").email;
    const stored = await unsafeStoredTotpSecret(database, email);
    assert.equal(stored, a.administratorTotpSecret);
    assert.notEqual(acceptTotpCode(a.administratorTotpSecret, currentTotpCode(stored ?? ""), null), null);
    assert.equal(await unsafeStoredTotpSecret(database, signInFor(a, "practitioner").email), undefined);
  });

  it("come with a refusal to generate the same seed twice, since email addresses are unique", async () => {
    const seed = `twice-${crypto.randomUUID()}`;
    await generatePartnership(database, { seed, children: 10 });
    await assert.rejects(generatePartnership(database, { seed, children: 10 }), /Choose another seed/);
  });
});
