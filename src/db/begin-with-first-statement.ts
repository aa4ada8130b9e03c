// SPDX-License-Identifier: MIT
/**
 * Sends a transaction's `begin` with its first statement, one round trip instead of two. Every scoped
 * transaction opens with `begin` and then the statement that confines it to the caller's partnership
 * (`enterPartnershipScope`), each a wait on the server; on a busy machine each wait is also a turn of the
 * event loop and a wake-up of the server process. Holding `begin` back until the next statement and
 * sending both as one simple query (`begin; select set_config(...)`) saves one of those a request.
 *
 * Only a statement without parameters can join it (the simple protocol has none); any other goes after
 * a `begin` of its own, as before. A transaction that ends before any statement never sends anything:
 * it held nothing to commit or roll back.
 */
import type { PoolClient, QueryResult } from "pg";

const answered = (command: string): QueryResult => ({
  command,
  rowCount: null,
  rows: [],
  fields: [],
  oid: 0,
});

/**
 * Makes `client` hold each `begin` back and send it with the next statement. Call once, when the pool
 * connects the client, after anything else that wraps its `query`.
 */
export const beginWithFirstStatement = (client: PoolClient): void => {
  const send = client.query.bind(client) as (...args: unknown[]) => Promise<QueryResult | QueryResult[]>;
  let held = false;
  client.query = ((...args: unknown[]) => {
    const [text, values] = args;
    const plain = args.length === 2 && typeof text === "string" && Array.isArray(values);
    if (plain && !held && text === "begin" && values.length === 0) {
      held = true;
      return Promise.resolve(answered("BEGIN"));
    }
    if (!held) return send(...args);
    held = false;
    if (plain && values.length === 0) {
      if (text === "commit" || text === "rollback") return Promise.resolve(answered(text.toUpperCase()));
      // One statement only (no `;`): its answer is then the second of the two.
      if (!text.includes(";"))
        return send(`begin; ${text}`).then((results) => (Array.isArray(results) ? results[1] : results));
    }
    if (plain) return send("begin").then(() => send(...args));
    // A cursor or a callback is answered at once, not through a promise: `begin` is queued before it.
    send("begin").catch(() => undefined);
    return send(...args);
  }) as PoolClient["query"];
};
