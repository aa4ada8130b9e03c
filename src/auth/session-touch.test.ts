// SPDX-License-Identifier: MIT
/**
 * The session look-up writes at most once a minute: requests within a minute of the last touch leave the
 * session row untouched (not even a new row version), a request after a minute moves its idle clock, and
 * a session idle for longer than the policy allows is ended, not touched.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sql } from "kysely";
import { signInFor, TestClient, testConfig } from "../test-support/harness.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";

useTestApp();

type SessionRow = { session_id: string; last_seen_at: Date; revoked_at: Date | null; version: string };

/** The practitioner's newest session, with its row version (xmin changes whenever the row is written). */
const practitionerSession = async (): Promise<SessionRow> => {
  const { userId } = signInFor(partnership, "practitioner");
  const result = await sql<SessionRow>`
    select session_id, last_seen_at, revoked_at, xmin::text as version from sessions
    where partnership_id = ${partnership.partnershipId} and user_id = ${userId}
    order by created_at desc limit 1`.execute(database.unsafeOwnerDb);
  const row = result.rows[0];
  assert.ok(row, "the practitioner has a session");
  return row;
};

const setLastSeen = (sessionId: string, minutesAgo: number) =>
  database.unsafeOwnerDb
    .updateTable("sessions")
    .set({ last_seen_at: new Date(Date.now() - minutesAgo * 60_000) })
    .where("partnership_id", "=", partnership.partnershipId)
    .where("session_id", "=", sessionId)
    .execute();

describe("touching the session", () => {
  it("does not write the session row on requests within a minute of the last touch", async () => {
    const client = new TestClient(app);
    await client.signIn(signInFor(partnership, "practitioner").email);
    const first = await practitionerSession();
    for (let i = 0; i < 5; i += 1) assert.equal((await client.get("/")).statusCode, 200);
    const later = await practitionerSession();
    assert.equal(later.session_id, first.session_id);
    assert.equal(later.version, first.version, "no new row version: nothing was written");
    assert.equal(later.last_seen_at.getTime(), first.last_seen_at.getTime());
  });

  it("moves the idle clock on the first request more than a minute after the last touch", async () => {
    const client = new TestClient(app);
    await client.signIn(signInFor(partnership, "practitioner").email);
    const session = await practitionerSession();
    await setLastSeen(session.session_id, 2);
    const backdated = await practitionerSession();
    assert.equal((await client.get("/")).statusCode, 200);
    const touched = await practitionerSession();
    assert.ok(touched.last_seen_at.getTime() > backdated.last_seen_at.getTime() + 60_000);
    assert.notEqual(touched.version, backdated.version);
    // And the next request, within the minute, writes nothing again.
    assert.equal((await client.get("/")).statusCode, 200);
    assert.equal((await practitionerSession()).version, touched.version);
  });

  it("ends a session idle for longer than the policy allows instead of touching it", async () => {
    const client = new TestClient(app);
    await client.signIn(signInFor(partnership, "practitioner").email);
    const session = await practitionerSession();
    await setLastSeen(session.session_id, testConfig().sessionIdleMinutes + 1);
    const response = await client.get("/");
    assert.notEqual(response.statusCode, 200);
    const ended = await practitionerSession();
    assert.ok(ended.revoked_at, "the idle session is revoked");
  });
});
