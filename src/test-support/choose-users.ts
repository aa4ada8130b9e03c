// SPDX-License-Identifier: MIT
/**
 * Picks the simulated staff of bench/load.bench.ts, the kill and two-process benchmarks and their tests from
 * a generated partnership.
 */
import type { HearthDatabase } from "../db/database.ts";
import { todayInEnglandSql } from "../kernel/calendar.ts";
import { onKey } from "../kernel/sql.ts";

/** A member of staff the benchmarks and process tests simulate (bench/load-users.ts has the same shape). */
export type SimulatedUser = {
  email: string;
  totpSecret: string | null;
  /** Children this user's agency works with, and a family name to search for each. */
  children: { personId: string; familyName: string }[];
};

const RECORDING_ROLES = ["practitioner", "manager", "safeguarding-lead", "front-door"] as const;

/**
 * `count` users who may record on children, each with up to five children their agency currently works
 * with; accounts are reused (a second session) when the partnership has fewer.
 */
export const chooseUsers = async (
  database: HearthDatabase,
  partnershipId: string,
  count: number,
): Promise<{ users: SimulatedUser[]; accounts: number }> => {
  const db = database.unsafeOwnerDb;
  const accounts = await db
    .selectFrom("users")
    .select(["email", "totp_secret", "agency_id"])
    .where("partnership_id", "=", partnershipId)
    .where("role", "in", [...RECORDING_ROLES])
    .where("deactivated_at", "is", null)
    .where("password_hash", "is not", null)
    .orderBy("email")
    .execute();
  const involved = await db
    .selectFrom("involvements as i")
    .innerJoin("person_names as n", (j) => onKey(j, "n.person_id", "i.person_id"))
    .select(["i.agency_id", "i.person_id", "n.family_name"])
    .where("i.partnership_id", "=", partnershipId)
    .where("n.name_use", "=", "current")
    .where("i.started_on", "<=", todayInEnglandSql)
    .where((w) => w.or([w("i.ended_on", "is", null), w("i.ended_on", ">=", todayInEnglandSql)]))
    .orderBy("i.person_id")
    .execute();
  const byAgency = new Map<string, { personId: string; familyName: string }[]>();
  for (const row of involved) {
    const list = byAgency.get(row.agency_id) ?? [];
    if (list.length < 5 && !list.some((c) => c.personId === row.person_id))
      list.push({ personId: row.person_id, familyName: row.family_name });
    byAgency.set(row.agency_id, list);
  }
  const eligible = accounts
    .map((a) => ({ email: a.email, totpSecret: a.totp_secret, children: byAgency.get(a.agency_id) ?? [] }))
    .filter((a) => a.children.length > 0);
  if (eligible.length === 0) throw new Error("no user in the partnership works with a child");
  return {
    users: Array.from({ length: count }, (_, i) => eligible[i % eligible.length] as SimulatedUser),
    accounts: Math.min(count, eligible.length),
  };
};
