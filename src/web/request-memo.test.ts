// SPDX-License-Identifier: MIT
/** request.memo: one load per request and key, shared within the request, never carried to the next. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import type { HearthDatabase } from "../db/database.ts";
import { openTestDatabase, testConfig } from "../test-support/harness.ts";
import { buildApp } from "./app.ts";

let database: HearthDatabase;
let app: FastifyInstance;
let loads = 0;

before(async () => {
  database = await openTestDatabase();
  app = await buildApp({ config: testConfig(), database });
  app.get("/memo-probe", async (request) => {
    const load = async () => ++loads;
    const [first, second] = await Promise.all([request.memo("n", load), request.memo("n", load)]);
    const third = await request.memo("n", load);
    return { first, second, third };
  });
  await app.ready();
});

after(async () => {
  await app.close();
  await database.close();
});

describe("request.memo", () => {
  it("loads once per request and key, and afresh for the next request", async () => {
    const one = (await app.inject({ url: "/memo-probe" })).json();
    assert.deepEqual(one, { first: 1, second: 1, third: 1 });
    const two = (await app.inject({ url: "/memo-probe" })).json();
    assert.deepEqual(two, { first: 2, second: 2, third: 2 });
  });
});
