// SPDX-License-Identifier: MIT
/**
 * Counts what a request sends to the database: the statements Kysely compiles and the transactions it
 * opens. The statement budget test (src/web/statement-budget.test.ts) and the page profiler
 * (bench/profile-pages.ts) read it. BEGIN and COMMIT are not statements Kysely compiles: the
 * transactions are counted apart.
 */
import {
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresQueryCompiler,
} from "kysely";
import type { HearthDatabase } from "../db/database.ts";

/** One statement sent: its kind (SelectQueryNode, RawNode, ...) and, when asked for, its SQL. */
export type SentStatement = { kind: string; sql: string };

const compiler = new PostgresQueryCompiler();

/**
 * Counted as results come back: a subquery built on the transaction passes through the plugins too, as
 * it is put into its statement, but has no result of its own.
 */
class StatementPlugin implements KyselyPlugin {
  readonly #compiled = new WeakMap<object, SentStatement>();
  constructor(
    private readonly sent: SentStatement[],
    private readonly keepSql: boolean,
  ) {}
  transformQuery(args: PluginTransformQueryArgs) {
    this.#compiled.set(args.queryId, {
      kind: args.node.kind,
      sql: this.keepSql ? compiler.compileQuery(args.node, args.queryId).sql : "",
    });
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs) {
    const statement = this.#compiled.get(args.queryId);
    if (statement) this.sent.push(statement);
    return args.result;
  }
}

/** What the database was sent since the counter was last reset. */
export type StatementCounter = {
  /** The database to build the app over: the same connections, counted. */
  database: HearthDatabase;
  statements: () => readonly SentStatement[];
  transactions: () => number;
  reset: () => void;
};

/** @param keepSql - Compile each statement's SQL a second time, to show it (slower). */
export const countStatements = (database: HearthDatabase, keepSql = false): StatementCounter => {
  const sent: SentStatement[] = [];
  let transactions = 0;
  const counted = database.unsafeOwnerDb.withPlugin(new StatementPlugin(sent, keepSql));
  const transaction = counted.transaction.bind(counted);
  counted.transaction = () => {
    transactions += 1;
    return transaction();
  };
  // Pages that share one transaction a request open it with startTransaction: counted too.
  const startTransaction = counted.startTransaction.bind(counted);
  counted.startTransaction = () => {
    transactions += 1;
    return startTransaction();
  };
  return {
    database: { ...database, unsafeOwnerDb: counted },
    statements: () => [...sent],
    transactions: () => transactions,
    reset: () => {
      sent.length = 0;
      transactions = 0;
    },
  };
};
