// SPDX-License-Identifier: MIT
/** The configuration's defaults that matter for safety: where Hearth listens and the address in links. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readConfig } from "./config.ts";

const SECRET = { HEARTH_SESSION_SECRET: "a-test-secret-that-is-at-least-32-characters" };

describe("the configuration", () => {
  it("listens on this machine only unless HOST says otherwise", () => {
    assert.equal(readConfig({ ...SECRET }).host, "127.0.0.1");
    assert.equal(readConfig({ ...SECRET, HOST: "0.0.0.0" }).host, "0.0.0.0");
  });

  it("builds links from HEARTH_BASE_URL, by default http://localhost and the port", () => {
    assert.equal(readConfig({ ...SECRET }).baseUrl, "http://localhost:3000");
    assert.equal(readConfig({ ...SECRET, PORT: "8080" }).baseUrl, "http://localhost:8080");
    assert.equal(
      readConfig({ ...SECRET, HEARTH_BASE_URL: "https://hearth.example.org/" }).baseUrl,
      "https://hearth.example.org",
    );
  });

  it("refuses a base address that is not http or https, naming the variable", () => {
    assert.throws(() => readConfig({ ...SECRET, HEARTH_BASE_URL: "javascript:alert(1)" }), /HEARTH_BASE_URL/);
    assert.throws(() => readConfig({ ...SECRET, HEARTH_BASE_URL: "not a url" }), /HEARTH_BASE_URL/);
  });

  it("trusts a proxy's forwarded address only when HEARTH_TRUST_PROXY is true, refusing other values", () => {
    assert.equal(readConfig({ ...SECRET }).trustProxy, false);
    assert.equal(readConfig({ ...SECRET, HEARTH_TRUST_PROXY: "true" }).trustProxy, true);
    assert.throws(() => readConfig({ ...SECRET, HEARTH_TRUST_PROXY: "yes" }), /HEARTH_TRUST_PROXY/);
  });

  it("sends e-mail only when HEARTH_SMTP_URL is set, and then needs a valid sender", () => {
    assert.equal(readConfig({ ...SECRET }).smtp, undefined);
    assert.deepEqual(
      readConfig({
        ...SECRET,
        HEARTH_SMTP_URL: "smtp://mail.example.org:587",
        HEARTH_SMTP_FROM: "hearth@example.org",
      }).smtp,
      { url: "smtp://mail.example.org:587", from: "hearth@example.org" },
    );
    assert.throws(
      () => readConfig({ ...SECRET, HEARTH_SMTP_URL: "smtp://mail.example.org" }),
      /HEARTH_SMTP_FROM/,
    );
    assert.throws(
      () =>
        readConfig({ ...SECRET, HEARTH_SMTP_URL: "http://mail.example.org", HEARTH_SMTP_FROM: "a@b.org" }),
      /HEARTH_SMTP_URL/,
    );
    assert.throws(
      () =>
        readConfig({
          ...SECRET,
          HEARTH_SMTP_URL: "smtp://mail.example.org",
          HEARTH_SMTP_FROM: "not an address",
        }),
      /HEARTH_SMTP_FROM/,
    );
  });
});
