// SPDX-License-Identifier: MIT
/**
 * Caching of what Hearth sends: every page, export, redirect and error can hold personal data, so none
 * may be kept in a browser's or a proxy's cache; only the static stylesheets, scripts and fonts may.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createFamily, type TestFamily } from "../test-support/families.ts";
import { signInFor, TestClient } from "../test-support/harness.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";

let family: TestFamily;

useTestApp({ children: 10 }, async () => {
  family = await createFamily(database, { partnershipId: partnership.partnershipId });
});

describe("caching", () => {
  it("forbids caching every page, export, redirect and error, and lets static files be cached", async () => {
    const lead = new TestClient(app);
    await lead.signIn(signInFor(partnership, "safeguarding-lead").email);
    const personal = [
      "/",
      `/people/${family.babyId}`,
      `/people/${family.babyId}/chronology`,
      `/people/${family.babyId}/family-chronology.csv`,
      `/people/${family.babyId}/family-chronology.pdf`,
      "/people?q=Tamworth",
      "/no-such-page",
      "/health",
    ];
    for (const url of personal) {
      const response = await lead.get(url);
      assert.ok(response.statusCode < 500, `${url} answered ${response.statusCode}`);
      assert.equal(response.headers["cache-control"], "no-store", `${url} may be cached`);
    }
    const signedOut = await app.inject({ method: "GET", url: `/people/${family.babyId}` });
    assert.equal(signedOut.statusCode, 302);
    assert.equal(signedOut.headers["cache-control"], "no-store", "a redirect may be cached");

    const stylesheet = await lead.get("/govuk/govuk-frontend.min.css");
    assert.equal(stylesheet.statusCode, 200);
    assert.match(String(stylesheet.headers["cache-control"]), /max-age=\d+/);
  });
});
