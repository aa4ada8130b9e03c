// SPDX-License-Identifier: MIT
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ChainedAuditRow,
  canonicalJson,
  findChainProblem,
  GENESIS_HASH,
  hashAuditRow,
} from "./hash-chain.ts";

const buildChain = (count: number) => {
  const rows: (ChainedAuditRow & { prevHash: string; hash: string })[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq += 1) {
    const row: ChainedAuditRow = {
      partnershipId: "p",
      seq,
      occurredAt: `2026-11-24T10:00:0${seq}.000Z`,
      actorUserId: "u",
      actorRole: "administrator",
      actorAgencyId: "a",
      action: "view",
      recordType: "user",
      recordId: `r${seq}`,
      reason: null,
      ip: "127.0.0.1",
      details: { b: 1, a: [1, 2] },
    };
    const hash = hashAuditRow(prevHash, row);
    rows.push({ ...row, prevHash, hash });
    prevHash = hash;
  }
  return rows;
};

describe("the audit hash chain", () => {
  it("is intact when nothing has changed", () => {
    const rows = buildChain(5);
    const last = rows.at(-1);
    assert.ok(last);
    assert.equal(findChainProblem(rows, { lastSeq: 5, lastHash: last.hash }), null);
  });

  it("names the altered row", () => {
    const rows = buildChain(5);
    rows[2] = { ...(rows[2] as (typeof rows)[number]), action: "update" };
    assert.deepEqual(findChainProblem(rows, undefined), {
      seq: 3,
      problem: "row 3 has been altered: its content does not match its hash",
    });
  });

  it("names a removed row", () => {
    const rows = buildChain(5);
    rows.splice(1, 1);
    assert.equal(findChainProblem(rows, undefined)?.seq, 2);
    assert.match(findChainProblem(rows, undefined)?.problem ?? "", /missing \(removed\)/);
  });

  it("notices rows removed from the end, using the chain head", () => {
    const rows = buildChain(5);
    const head = { lastSeq: 5, lastHash: rows.at(-1)?.hash ?? "" };
    assert.match(
      findChainProblem(rows.slice(0, 3), head)?.problem ?? "",
      /ends at row 3 but row 5 was written/,
    );
  });

  it("names reordered rows", () => {
    const rows = buildChain(5);
    const second = rows[1] as (typeof rows)[number];
    const third = rows[2] as (typeof rows)[number];
    // Swap the contents but keep the sequence numbers, as an UPDATE of both rows would.
    rows[1] = { ...third, seq: 2 };
    rows[2] = { ...second, seq: 3 };
    assert.equal(findChainProblem(rows, undefined)?.seq, 2);
  });

  it("hashes the same content the same way whatever the key order", () => {
    assert.equal(canonicalJson({ b: 1, a: { d: 2, c: 3 } }), canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
  });
});
