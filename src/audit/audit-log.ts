// SPDX-License-Identifier: MIT
/**
 * Writes audit rows inside the caller's transaction, so an action and its audit row commit together or
 * not at all, and reads them back for the record-history page and `hearth audit verify`.
 */
import { type Kysely, sql, type Transaction } from "kysely";
import type { HearthSchema } from "../db/schema.ts";
import { type ChainProblem, chainedTextAroundSeq, findChainProblem } from "./hash-chain.ts";

/** Who acted: a signed-in user, or nobody yet (a failed sign-in, the system). */
export type AuditActor = { userId: string; role: string; agencyId: string } | null;

/**
 * Every action the audit log records, and whether it changes a record. A changing action moves the
 * partnership's `last_change_seq`, the version stored figures are checked against, so an action missing
 * here fails to compile rather than silently leaving figures stale.
 */
export const AUDIT_ACTIONS = {
  // Reads, sign-ins and refusals change no record.
  view: { changesRecords: false },
  search: { changesRecords: false },
  export: { changesRecords: false },
  "sign-in": { changesRecords: false },
  "sign-in-failed": { changesRecords: false },
  "sign-out": { changesRecords: false },
  denied: { changesRecords: false },
  // Everything else records or changes something.
  "accept-invite": { changesRecords: true },
  acknowledge: { changesRecords: true },
  "acknowledge-history": { changesRecords: true },
  "add-target": { changesRecords: true },
  "add-visit": { changesRecords: true },
  amend: { changesRecords: true },
  archive: { changesRecords: true },
  "break-glass": { changesRecords: true },
  change: { changesRecords: true },
  "choose-quote": { changesRecords: true },
  complete: { changesRecords: true },
  continue: { changesRecords: true },
  create: { changesRecords: true },
  deactivate: { changesRecords: true },
  decide: { changesRecords: true },
  deny: { changesRecords: true },
  end: { changesRecords: true },
  "enrol-second-factor": { changesRecords: true },
  escalate: { changesRecords: true },
  generate: { changesRecords: true },
  import: { changesRecords: true },
  invite: { changesRecords: true },
  merge: { changesRecords: true },
  publish: { changesRecords: true },
  "record-attendance": { changesRecords: true },
  "remove-target": { changesRecords: true },
  "remove-visit": { changesRecords: true },
  "request-involvement": { changesRecords: true },
  resolve: { changesRecords: true },
  retract: { changesRecords: true },
  return: { changesRecords: true },
  review: { changesRecords: true },
  "revoke-session": { changesRecords: true },
  save: { changesRecords: true },
  "sign-off": { changesRecords: true },
  "sign-out-everywhere": { changesRecords: true },
  submit: { changesRecords: true },
  "submit-for-authorisation": { changesRecords: true },
  "undo-merge": { changesRecords: true },
  authorise: { changesRecords: true },
  "change-role": { changesRecords: true },
  "decline-involvement": { changesRecords: true },
  "grant-involvement": { changesRecords: true },
  "reset-second-factor": { changesRecords: true },
  update: { changesRecords: true },
} as const satisfies Record<string, { changesRecords: boolean }>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export type AuditEntry = {
  partnershipId: string;
  actor: AuditActor;
  /** What happened, as a code from AUDIT_ACTIONS. */
  action: AuditAction;
  recordType: string;
  recordId: string;
  /** Why, where the user was asked. */
  reason?: string | null;
  ip?: string | null;
  /** Field changes ({ field: [before, after] }) and other facts. */
  details?: Record<string, unknown>;
};

/** Actions that change no record: reads, sign-ins and refusals (derived from AUDIT_ACTIONS). */
export const READ_ONLY_ACTIONS: ReadonlySet<string> = new Set(
  Object.entries(AUDIT_ACTIONS)
    .filter(([, action]) => !action.changesRecords)
    .map(([name]) => name),
);

/**
 * Appends one row to the partnership's audit chain, within the given transaction: see {@link appendAudits}.
 * @param trx - The transaction that performs the audited action.
 * @param entry - What to record.
 */
export const appendAudit = (trx: Transaction<HearthSchema>, entry: AuditEntry): Promise<void> =>
  appendAudits(trx, [entry]);

/**
 * Appends rows to one partnership's audit chain, in order, within the given transaction: they are put in
 * `audit_pending`, and the database chains them as the transaction commits (migration 0037), locking the
 * partnership's chain head only then, so concurrent writers queue for the length of a commit rather than
 * fork the chain. If the transaction does not commit, neither do its rows. The hash is
 * {@link hashAuditRow}'s: each row's canonical JSON is sent split where the sequence number goes, as only
 * the locked head knows it.
 * @param trx - The transaction that performs the audited actions.
 * @param entries - What to record, all in one partnership.
 */
export const appendAudits = async (
  trx: Transaction<HearthSchema>,
  entries: readonly AuditEntry[],
): Promise<void> => {
  const first = entries[0];
  if (!first) return;
  const partnershipId = first.partnershipId;
  if (entries.some((entry) => entry.partnershipId !== partnershipId)) {
    throw new Error("appendAudits: every row must belong to one partnership's chain");
  }
  const occurredAt = new Date().toISOString();
  const rows = entries.map((entry) => {
    const row = {
      partnershipId,
      occurredAt,
      actorUserId: entry.actor?.userId ?? null,
      actorRole: entry.actor?.role ?? null,
      actorAgencyId: entry.actor?.agencyId ?? null,
      action: entry.action,
      recordType: entry.recordType,
      recordId: entry.recordId,
      reason: entry.reason ?? null,
      ip: entry.ip ?? null,
      details: entry.details ?? {},
    };
    const { beforeSeq, afterSeq } = chainedTextAroundSeq(row);
    return {
      before_seq: beforeSeq,
      after_seq: afterSeq,
      changes_records: !READ_ONLY_ACTIONS.has(row.action),
      occurred_at: row.occurredAt,
      actor_user_id: row.actorUserId,
      actor_role: row.actorRole,
      actor_agency_id: row.actorAgencyId,
      action: row.action,
      record_type: row.recordType,
      record_id: row.recordId,
      reason: row.reason,
      ip: row.ip,
      details: row.details,
    };
  });
  await sql`insert into audit_pending (partnership_id, rows)
    values (${partnershipId}::uuid, ${JSON.stringify(rows)}::jsonb)`.execute(trx);
};

export type ChainReport = {
  partnerships: number;
  rows: number;
  problems: (ChainProblem & { partnershipId: string })[];
  /** Committed batches of audit rows that never joined their chain (audit_pending), by partnership. */
  unchained: { partnershipId: string; batches: number }[];
};

/** Whether every chain verified and no committed audit rows wait outside one. */
export const chainsHold = (report: ChainReport): boolean =>
  report.problems.length === 0 && report.unchained.length === 0;

/** What is wrong with the chains, a line each: the first broken row of each chain, then rows left outside. */
export const chainFailures = (report: ChainReport): string[] => [
  ...report.problems.map((p) => `partnership ${p.partnershipId}, row ${p.seq}: ${p.problem}`),
  ...report.unchained.map(
    (u) =>
      `partnership ${u.partnershipId}: ${u.batches} committed batch(es) of audit rows are not in the chain (audit_pending): its trigger was disabled or its data loaded around it`,
  ),
];

/**
 * Verifies every partnership's audit chain. Runs as the owner: it must see all partnerships.
 * @param unsafeOwnerDb - The owner connection (bypasses row-level security).
 * @returns How many rows were checked, the first problem in each broken chain, and audit rows committed
 *   outside the chains.
 */
export const unsafeVerifyAuditChains = (unsafeOwnerDb: Kysely<HearthSchema>): Promise<ChainReport> =>
  // One snapshot for heads and rows: read apart, a write committed in between looks like a broken chain.
  unsafeOwnerDb
    .transaction()
    .setIsolationLevel("repeatable read")
    .setAccessMode("read only")
    .execute((snapshot) => verifyChainsIn(snapshot));

const verifyChainsIn = async (unsafeOwnerDb: Kysely<HearthSchema>): Promise<ChainReport> => {
  const heads = await unsafeOwnerDb.selectFrom("audit_chain_heads").selectAll().execute();
  const partnerships = await unsafeOwnerDb
    .selectFrom("audit_log")
    .select("partnership_id")
    .distinct()
    .execute();
  const ids = new Set([...heads.map((h) => h.partnership_id), ...partnerships.map((p) => p.partnership_id)]);
  // A transaction's audit rows wait in audit_pending only until it commits (a deferred trigger chains
  // them): rows another connection can see were committed around the chain (the trigger disabled, or
  // data loaded around it), and walking the chain alone would never notice them.
  const unchained = await sql<{ partnership_id: string; batches: number }>`
    select partnership_id, count(*)::int as batches from audit_pending group by partnership_id
    order by partnership_id`.execute(unsafeOwnerDb);
  const report: ChainReport = {
    partnerships: ids.size,
    rows: 0,
    problems: [],
    unchained: unchained.rows.map((r) => ({ partnershipId: r.partnership_id, batches: r.batches })),
  };
  for (const partnershipId of [...ids].sort()) {
    const rows = await unsafeOwnerDb
      .selectFrom("audit_log")
      .selectAll()
      .select(
        sql<string>`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as(
          "occurred_iso",
        ),
      )
      .where("partnership_id", "=", partnershipId)
      .orderBy("seq")
      .execute();
    report.rows += rows.length;
    const head = heads.find((h) => h.partnership_id === partnershipId);
    const problem = findChainProblem(
      rows.map((r) => ({
        partnershipId: r.partnership_id,
        seq: Number(r.seq),
        occurredAt: r.occurred_iso,
        actorUserId: r.actor_user_id,
        actorRole: r.actor_role,
        actorAgencyId: r.actor_agency_id,
        action: r.action,
        recordType: r.record_type,
        recordId: r.record_id,
        reason: r.reason,
        ip: r.ip,
        details: r.details,
        prevHash: r.prev_hash,
        hash: r.hash,
      })),
      head ? { lastSeq: Number(head.last_seq), lastHash: head.last_hash } : undefined,
    );
    if (problem) report.problems.push({ ...problem, partnershipId });
  }
  return report;
};
