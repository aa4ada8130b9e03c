// SPDX-License-Identifier: MIT
/**
 * The audit log's hash chain, as pure functions: each row's hash covers its own content and the previous
 * row's hash, so altering, removing or reordering any row breaks the chain from that row on.
 */
import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

/** The fields of an audit row that its hash covers. */
export type ChainedAuditRow = {
  partnershipId: string;
  seq: number;
  occurredAt: string;
  actorUserId: string | null;
  actorRole: string | null;
  actorAgencyId: string | null;
  action: string;
  recordType: string;
  recordId: string;
  reason: string | null;
  ip: string | null;
  details: Record<string, unknown>;
};

/** JSON with object keys sorted, so the same content always hashes the same after a jsonb round trip. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
};

/** The row's content in the order its hash covers it. */
const chainedFields = (row: ChainedAuditRow): unknown[] => [
  row.partnershipId,
  row.seq,
  row.occurredAt,
  row.actorUserId,
  row.actorRole,
  row.actorAgencyId,
  row.action,
  row.recordType,
  row.recordId,
  row.reason,
  row.ip,
  row.details,
];

/**
 * The text {@link hashAuditRow} hashes after the previous hash and a newline, split where the sequence
 * number goes: `beforeSeq + seq + afterSeq` is the row's canonical JSON. The database's
 * `hearth_chain_audit` (migration 0037) joins them once it has locked the chain head and knows the number.
 */
export const chainedTextAroundSeq = (
  row: Omit<ChainedAuditRow, "seq">,
): { beforeSeq: string; afterSeq: string } => {
  const [partnershipId, , ...after] = chainedFields({ ...row, seq: 0 });
  return {
    beforeSeq: `[${canonicalJson(partnershipId)},`,
    afterSeq: `,${after.map(canonicalJson).join(",")}]`,
  };
};

/**
 * Computes a row's hash from the previous row's hash and the row's content.
 * @param prevHash - The hash of the row before (or {@link GENESIS_HASH} for the first).
 * @param row - The row's content.
 * @returns A hex SHA-256 digest.
 */
export const hashAuditRow = (prevHash: string, row: ChainedAuditRow): string =>
  createHash("sha256")
    .update(prevHash)
    .update("\n")
    .update(canonicalJson(chainedFields(row)))
    .digest("hex");

export type ChainProblem = { seq: number; problem: string };

/**
 * Walks one partnership's rows in sequence order and names the first place the chain breaks.
 * @param rows - The rows with their stored hashes, ordered by seq.
 * @param head - The chain head recorded when the last row was written, if any.
 * @returns The first problem, or null when the chain is intact.
 */
export const findChainProblem = (
  rows: Iterable<ChainedAuditRow & { prevHash: string; hash: string }>,
  head: { lastSeq: number; lastHash: string } | undefined,
): ChainProblem | null => {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (const row of rows) {
    if (row.seq !== expectedSeq) {
      return row.seq > expectedSeq
        ? { seq: expectedSeq, problem: `row ${expectedSeq} is missing (removed); the next row is ${row.seq}` }
        : { seq: row.seq, problem: `row ${row.seq} appears out of order` };
    }
    if (row.prevHash !== prevHash) {
      return {
        seq: row.seq,
        problem: `row ${row.seq} does not follow row ${row.seq - 1} (removed or reordered)`,
      };
    }
    if (hashAuditRow(prevHash, row) !== row.hash) {
      return {
        seq: row.seq,
        problem: `row ${row.seq} has been altered: its content does not match its hash`,
      };
    }
    prevHash = row.hash;
    expectedSeq += 1;
  }
  const lastSeq = expectedSeq - 1;
  if (head && (head.lastSeq !== lastSeq || head.lastHash !== prevHash)) {
    return {
      seq: head.lastSeq,
      problem: `the chain ends at row ${lastSeq} but row ${head.lastSeq} was written (rows removed from the end)`,
    };
  }
  return null;
};
