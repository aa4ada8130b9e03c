// SPDX-License-Identifier: MIT
/**
 * What every area repository shares: the caller, a transaction scoped to the caller's partnership under
 * the application role, and the audit writer. Area repositories (people, chronology, ...) receive one of
 * these from the request's Repository and never open a connection of their own.
 */
import {
  type ControlledTransaction,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RawBuilder,
  type RawNode,
  type RootOperationNode,
  sql,
  type Transaction,
  type UnknownRow,
} from "kysely";
import { type AuditEntry, appendAudits, READ_ONLY_ACTIONS } from "../audit/audit-log.ts";
import { enterPartnershipScope, type HearthDatabase, withPartnershipScope } from "../db/database.ts";
import type { HearthSchema } from "../db/schema.ts";
import { currentPartnership } from "../kernel/sql.ts";
import type { AgencyType } from "../organisation/codes.ts";
import type { AccessContext } from "./access-context.ts";
import { childVisibleTo } from "./child-access.ts";

export type Trx = Transaction<HearthSchema>;

/**
 * The outcome of a change: done, or refused with a message naming the field at fault. `denied` marks a
 * refusal for access (the caller may not open a record the change needs), which routes answer with 403 so
 * the refusal is audited as a denial; other refusals are the caller's input to correct.
 */
export type ChangeResult<T> =
  | { ok: true; value: T }
  | { ok: false; field?: string; message: string; denied?: true };

export const refused = (message: string, field?: string): ChangeResult<never> =>
  field === undefined ? { ok: false, message } : { ok: false, field, message };

/** A refusal for access, not for input: see {@link ChangeResult}. */
export const deniedAccess = (message: string, field?: string): ChangeResult<never> =>
  field === undefined ? { ok: false, message, denied: true } : { ok: false, field, message, denied: true };

export const done = <T>(value: T): ChangeResult<T> => ({ ok: true, value });

/** Each method declares whether it applies access rules. A test fails if one is left undeclared. */
export type MethodAccess = "guarded" | "unguarded";

/** The caller's own agency and team, as pages and rules need them. */
export type CallerAgency = {
  agencyId: string;
  agencyName: string;
  agencyType: AgencyType;
  teamId: string | null;
  teamName: string | null;
};

/**
 * A page's one transaction: the audit rows of its calls that succeeded, whether any statement so far may
 * have changed something, and the outermost savepoint (the first call's after a change: calls before it
 * run without one).
 */
type SharedTransaction = {
  trx: ControlledTransaction<HearthSchema>;
  audit: AuditEntry[];
  changes: ChangeWatcher;
  outermost: RawBuilder<unknown> | null;
};

/** Raw SQL that reads: a select, or a `with` whose parts are checked by {@link CHANGING_WORDS}. */
const READ_ONLY_RAW = /^\s*\(?\s*(select|with)\b/i;
/**
 * Words of a statement that changes, and Hearth's functions that change something though a select calls
 * them: a new such function must be named here, or a page's failed call could roll back its change.
 */
const CHANGING_WORDS =
  /\b(insert|update|delete|merge|set_config|nextval|setval|hearth_chain_audit|hearth_analyze_indicator_units)\b/i;

/**
 * Whether a statement may change something: anything but a select, a select whose common table
 * expressions are not all selects, and raw SQL unless it is plainly a select that calls nothing which
 * changes. Errs towards "may": the cost of a wrong "may" is a savepoint, of a wrong "may not" a lost change.
 */
export const mayChange = (node: RootOperationNode): boolean => {
  if (node.kind === "SelectQueryNode")
    return (node.with?.expressions ?? []).some((cte) => cte.expression.kind !== "SelectQueryNode");
  if (node.kind === "RawNode") {
    const text = rawSql(node);
    return !READ_ONLY_RAW.test(text) || CHANGING_WORDS.test(text);
  }
  return true;
};

const CHANGING_NODE_KINDS = new Set([
  "InsertQueryNode",
  "UpdateQueryNode",
  "DeleteQueryNode",
  "MergeQueryNode",
]);

/** Raw SQL's text with the raw SQL put into it; a change put into it reads as "insert", any other value as "?". */
const rawSql = (node: RawNode): string =>
  node.sqlFragments
    .map((fragment, index) => {
      const part = node.parameters[index];
      if (!part) return fragment;
      if (part.kind === "RawNode") return fragment + rawSql(part as RawNode);
      return fragment + (CHANGING_NODE_KINDS.has(part.kind) ? " insert " : " ? ");
    })
    .join("");

/** Notes whether any statement sent through it may have changed something (see {@link mayChange}). */
class ChangeWatcher implements KyselyPlugin {
  seen = false;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (!this.seen && mayChange(args.node)) this.seen = true;
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

export class RepositoryScope {
  readonly #database: HearthDatabase;
  readonly context: AccessContext | undefined;
  /** Loads shared by the request's repositories: a scope lives for one request, so this is per request. */
  readonly #memo = new Map<string, Promise<unknown>>();

  /**
   * @param database - The open database.
   * @param context - The caller; undefined means nobody, who sees nothing.
   */
  constructor(database: HearthDatabase, context: AccessContext | undefined) {
    this.#database = database;
    this.context = context;
  }

  /** Audit rows recorded in each open transaction, appended to the chain just before it commits. */
  readonly #pendingAudit = new WeakMap<Trx, AuditEntry[]>();
  /**
   * The request's one transaction, once {@link shareOneTransaction} asked for it and a call opened it, with
   * the second call's savepoint (every later one nests inside it) once a call has set it.
   */
  #shared: SharedTransaction | undefined;
  #sharing = false;
  /**
   * Calls on the shared transaction take turns: a call's savepoint (or, before any change, the rollback)
   * must undo that call's statements alone.
   */
  #turns: Promise<unknown> = Promise.resolve();
  #savepoints = 0;
  /**
   * Audit rows of calls that succeeded in a shared transaction a later call's failure rolled back (it had
   * changed nothing, so only these rows were at stake): written by the next shared transaction, or by
   * {@link finish}.
   */
  #carriedAudit: AuditEntry[] = [];

  /**
   * From now until {@link finish}, every call shares one transaction (opened by the first), and a failed
   * call undoes only itself, as its own transaction would have; the audit rows of every call that
   * succeeded are appended just before the one commit. A page of several sections then pays for one
   * transaction and one audit append (one wait for the partnership's chain head and one durable commit)
   * instead of one per section. Until a statement may have changed something, calls run without
   * savepoints (a round trip each): a failure then rolls back the transaction, which held only reads, and
   * carries the earlier calls' audit rows to the next; after a change each call has a savepoint of its own.
   */
  shareOneTransaction(): void {
    this.#sharing = true;
  }

  /**
   * Ends the shared transaction: appends the audit rows of the calls that succeeded and commits (a
   * failure rolls everything back and is thrown: the caller must not answer as if it had been kept).
   * Later calls each run in a transaction of their own again.
   */
  async finish(): Promise<void> {
    this.#sharing = false;
    for (let turns = this.#turns; ; turns = this.#turns) {
      await turns;
      if (turns === this.#turns) break;
    }
    const shared = this.#shared;
    this.#shared = undefined;
    if (!shared) {
      const carried = this.#carriedAudit.splice(0);
      if (carried.length > 0)
        await withPartnershipScope(this.#database, this.context?.partnershipId, (trx) =>
          appendAudits(trx, carried),
        );
      return;
    }
    try {
      // Releasing the outermost savepoint releases the calls' nested ones: the audit rows are then written
      // by the transaction itself, not by a subtransaction nested as deep as the page had calls.
      if (shared.outermost && shared.audit.length > 0)
        await sql`release savepoint ${shared.outermost}`.execute(shared.trx);
      await appendAudits(shared.trx, shared.audit);
      await shared.trx.commit().execute();
    } catch (error) {
      await shared.trx
        .rollback()
        .execute()
        .catch(() => undefined);
      throw error;
    }
  }

  /**
   * Runs `work` in one transaction as the application role, confined to the caller's partnership. The audit
   * rows `work` records are appended at its end, in the same transaction: the chain head's lock, which
   * queues every writer in the partnership, is then held only while the transaction commits, not while the
   * page's queries run. If `work` fails, neither its changes nor its audit rows are kept.
   */
  run<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    // A failed call may have changed what the loads remembered saw (a grant made, then undone): forget them.
    return this.#runCall(work).catch((error: unknown) => {
      this.#memo.clear();
      throw error;
    });
  }

  #runCall<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    // A call made inside another's `work` would wait for ever behind it here, as it already would for
    // PGlite's one connection: repositories never nest calls. (Telling a nested call from a parallel one
    // needs AsyncLocalStorage, whose promise hooks cost every request more than the sharing saves.)
    if (this.#sharing || this.#shared) {
      const turn = this.#turns.then(() => this.#inSharedTransaction(work));
      this.#turns = turn.catch(() => undefined);
      return turn;
    }
    return withPartnershipScope(this.#database, this.context?.partnershipId, async (trx) => {
      const pending: AuditEntry[] = [];
      this.#pendingAudit.set(trx, pending);
      try {
        const result = await work(trx);
        await appendAudits(trx, pending.splice(0));
        return result;
      } finally {
        this.#pendingAudit.delete(trx);
      }
    });
  }

  async #inSharedTransaction<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    if (!this.#shared) {
      if (!this.#sharing) return this.#runCall(work); // finished while this call waited its turn
      const opened = await this.#database.unsafeOwnerDb.startTransaction().execute();
      try {
        await enterPartnershipScope(opened, this.context?.partnershipId);
      } catch (error) {
        await opened
          .rollback()
          .execute()
          .catch(() => undefined);
        throw error;
      }
      const changes = new ChangeWatcher();
      const trx = opened.withPlugin(changes);
      this.#shared = { trx, audit: this.#carriedAudit.splice(0), changes, outermost: null };
    }
    const shared = this.#shared;
    return shared.changes.seen ? this.#inSavepoint(shared, work) : this.#withoutSavepoint(shared, work);
  }

  /**
   * A call before any statement may have changed something runs without a savepoint (a round trip fewer
   * each): undoing it is rolling the transaction back, which undoes only reads besides the call itself.
   * The audit rows of the calls before it are carried to the next call's transaction, or to the finish.
   */
  async #withoutSavepoint<T>(shared: SharedTransaction, work: (trx: Trx) => Promise<T>): Promise<T> {
    const pending: AuditEntry[] = [];
    this.#pendingAudit.set(shared.trx, pending);
    try {
      const result = await work(shared.trx);
      shared.audit.push(...pending);
      return result;
    } catch (error) {
      this.#shared = undefined;
      this.#carriedAudit.push(...shared.audit);
      await shared.trx
        .rollback()
        .execute()
        .catch(() => undefined);
      throw error;
    } finally {
      this.#pendingAudit.delete(shared.trx);
    }
  }

  /**
   * One call on the shared transaction: its statements and audit rows are kept only if it succeeds. Its
   * savepoint is not released when it succeeds (a round trip per call, for nothing a commit would not
   * do): the next call's nests inside it, and rolling back to a call's own savepoint still undoes only
   * that call, since the calls take turns.
   */
  async #inSavepoint<T>(shared: SharedTransaction, work: (trx: Trx) => Promise<T>): Promise<T> {
    const { trx } = shared;
    const savepoint = sql.raw(`hearth_call_${++this.#savepoints}`);
    const pending: AuditEntry[] = [];
    await sql`savepoint ${savepoint}`.execute(trx);
    shared.outermost ??= savepoint;
    this.#pendingAudit.set(trx, pending);
    try {
      const result = await work(trx);
      shared.audit.push(...pending);
      return result;
    } catch (error) {
      await sql`rollback to savepoint ${savepoint}`.execute(trx);
      throw error;
    } finally {
      this.#pendingAudit.delete(trx);
    }
  }

  /**
   * Loads something once per request (per caller): later calls with the same key share the first load. A
   * failed load is forgotten, so a later call tries again. Only for what the caller may see whichever
   * transaction reads it, and what the request itself does not change (the caller's agency, whether the
   * caller may open a record, counts shown in the page's frame); never for a record whose view must be
   * audited. A change the request audits, or a call that fails, forgets every load, so a page read after a
   * write (a POST that renders) never shows counts or access from before.
   */
  memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    const known = this.#memo.get(key);
    if (known) return known as Promise<T>;
    const loading = load();
    this.#memo.set(key, loading);
    loading.catch(() => this.#memo.delete(key));
    return loading;
  }

  /** The caller's agency and team, read (within the caller's partnership) once per request. */
  callerAgency(trx: Trx): Promise<CallerAgency | undefined> {
    const ctx = this.context;
    if (!ctx) return Promise.resolve(undefined);
    return this.memo("caller-agency", async () => {
      const row = await trx
        .selectFrom("agencies")
        .leftJoin("teams", (join) =>
          join
            .onRef("teams.partnership_id", "=", "agencies.partnership_id")
            .on("teams.team_id", "=", ctx.teamId),
        )
        .select([
          "agencies.agency_id",
          "agencies.name as agency_name",
          "agencies.agency_type",
          "teams.team_id",
          "teams.name as team_name",
        ])
        .where(sql.ref("agencies.partnership_id"), "=", currentPartnership)
        .where("agencies.agency_id", "=", ctx.agencyId)
        .executeTakeFirst();
      return row
        ? {
            agencyId: row.agency_id,
            agencyName: row.agency_name,
            agencyType: row.agency_type,
            teamId: row.team_id,
            teamName: row.team_name,
          }
        : undefined;
    });
  }

  /**
   * Whether the caller may open this person's record, evaluated in SQL by the child-access predicate,
   * once per request and person (a page's sections each ask; a change the request audits, or a call that
   * fails, asks again).
   * @param options - `childrenOnly`: an adult's record never counts as open.
   */
  async canOpenRecord(
    trx: Trx,
    personId: string,
    options: { childrenOnly?: boolean } = {},
  ): Promise<boolean> {
    const found = await this.memo(`can-open:${personId}`, () =>
      trx
        .selectFrom("people")
        .select(["people.kind", childVisibleTo(this.context, sql.ref("people.person_id")).as("visible")])
        .where(sql.ref("people.partnership_id"), "=", currentPartnership)
        .where("people.person_id", "=", personId)
        .executeTakeFirst(),
    );
    return found?.visible === true && (!options.childrenOnly || found.kind === "child");
  }

  /**
   * Records a refused read or write in the caller's own partnership chain (never the partnership a
   * foreign id belongs to): who, what was attempted and which record. For refusals decided inside a
   * repository; refusals that end as a 403 or 404 response are recorded by the app (see web/denials.ts).
   * @param denial - The record asked for, and what was attempted (method, route, params, or a reason code).
   */
  recordDenial(
    trx: Trx,
    denial: { recordType: string; recordId: string; details?: Record<string, unknown> },
  ): Promise<void> {
    return this.audit(trx, { action: "denied", ...denial });
  }

  /**
   * Records an audit row for the caller in `trx`: appended when the transaction `run` opened ends, before it
   * commits (a transaction from elsewhere gets the row at once). Without a caller nothing is written
   * (nothing was done).
   */
  async audit(trx: Trx, entry: Omit<AuditEntry, "partnershipId" | "actor" | "ip">): Promise<void> {
    const ctx = this.context;
    if (!ctx) return;
    const row: AuditEntry = {
      ...entry,
      partnershipId: ctx.partnershipId,
      actor: { userId: ctx.userId, role: ctx.role, agencyId: ctx.agencyId },
      ip: ctx.ip,
    };
    if (!READ_ONLY_ACTIONS.has(row.action)) this.#memo.clear();
    const pending = this.#pendingAudit.get(trx);
    if (pending) pending.push(row);
    else await appendAudits(trx, [row]);
  }
}
