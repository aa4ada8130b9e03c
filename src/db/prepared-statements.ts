// SPDX-License-Identifier: MIT
/**
 * Keeps each PostgreSQL connection's most used statements prepared, so the server plans a statement
 * once per connection instead of at every execution. Kysely sends every statement unnamed, which
 * PostgreSQL parses and plans again each time: planning the access predicates and joins of a child's
 * record cost more server time than running them (about 6 ms of planning to 0.7 ms of execution a page
 * at 10,000 children). A named statement is planned afresh for its first five executions, then
 * PostgreSQL keeps a generic plan only where it costs no more than the fresh ones (`plan_cache_mode`
 * auto), so a statement whose best plan depends on its values keeps being planned for them.
 *
 * Bounded: each connection keeps at most `capacity` statements and deallocates the least recently used
 * (statements listing values, `in ($1, $2, ...)`, differ by length). Names are never reused: node-postgres
 * remembers a name's text for the life of the connection.
 */
import type { PoolClient, QueryResult } from "pg";

/** Statements a connection keeps prepared: Hearth sends a few hundred distinct ones. */
export const PREPARED_PER_CONNECTION = 500;

/** Only statements PostgreSQL plans: transaction control and settings are not worth a name. */
const PLANNED = /^\s*(select|insert|update|delete|with)\b/i;

/** The parts of node-postgres' connection this uses: the names it believes are prepared. */
type ConnectionState = { parsedStatements?: Record<string, string> };

/**
 * Makes `client` send repeated statements as named prepared statements. Call once, when the pool
 * connects the client; calls with a callback, a config object or a cursor pass through unchanged.
 */
export const prepareRepeatedStatements = (client: PoolClient, capacity = PREPARED_PER_CONNECTION): void => {
  const send = client.query.bind(client) as (...args: unknown[]) => Promise<QueryResult>;
  /** Statement text to name, least recently used first (a Map keeps insertion order). */
  const names = new Map<string, string>();
  let issued = 0;
  const connection = (client as unknown as { connection?: ConnectionState }).connection;

  const forgetOldest = () => {
    const oldest = names.entries().next().value;
    if (!oldest) return;
    const [text, name] = oldest;
    names.delete(text);
    delete connection?.parsedStatements?.[name];
    // Queued behind the statement in flight. Inside a failed transaction it fails and the server keeps
    // the statement until the connection closes: harmless, as the name is never sent again.
    send(`deallocate ${name}`).catch(() => undefined);
  };

  const named = (text: string): string => {
    const known = names.get(text);
    if (known) {
      names.delete(text);
      names.set(text, known);
      return known;
    }
    issued += 1;
    const name = `hearth_${issued}`;
    names.set(text, name);
    if (names.size > capacity) forgetOldest();
    return name;
  };

  client.query = ((...args: unknown[]) => {
    const [text, values] = args;
    if (args.length === 2 && typeof text === "string" && Array.isArray(values) && PLANNED.test(text))
      return send({ name: named(text), text, values });
    return send(...args);
  }) as PoolClient["query"];
};
