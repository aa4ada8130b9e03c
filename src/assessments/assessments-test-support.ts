// SPDX-License-Identifier: MIT
/**
 * What the assessments tests (assessments-*.test.ts) share: the database, a partnership of 30 children
 * and the app (live bindings, set by useAssessmentsTestApp's before hook), the demo users, new children,
 * tool ids and audit counts.
 */
import assert from "node:assert/strict";
import type { AccessContext } from "../data/access-context.ts";
import { repositoryFor } from "../data/repository.ts";
import type { AgencyType, Role } from "../organisation/codes.ts";
import { contextOfUser, signInFor, userFor } from "../test-support/harness.ts";
import { createTestChild } from "../test-support/people.ts";
import { app, database, partnership, useTestApp } from "../test-support/test-app.ts";

/** The file's fixtures (live bindings, set before its tests by useTestApp). */
export { app, database, partnership };

export const userOf = (role: Role, agencyType?: AgencyType, notUserId?: string) =>
  userFor(database, partnership, role, { agencyType, notUserId });

/** The demo practitioner and the manager of the same team. */
export const demoUser = async (role: "practitioner" | "manager") => {
  const signIn = signInFor(partnership, role);
  const context = await contextOfUser(database, partnership.partnershipId, { userId: signIn.userId });
  return { email: signIn.email, context };
};

export const newChild = (context: AccessContext, givenNames: string, dateOfBirth: string) =>
  createTestChild(repositoryFor(database, context).people, {
    givenNames,
    familyName: "Testwell",
    dateOfBirth,
  });

export const toolId = async (context: AccessContext, slug: string) => {
  const tools = await repositoryFor(database, context).assessments.listTools();
  const tool = tools.find((t) => t.tool.slug === slug);
  assert.ok(tool, `tool ${slug} is installed`);
  return tool.tool.tool_id;
};

export const auditCount = async (action: string, recordId: string) =>
  (
    await database.unsafeOwnerDb
      .selectFrom("audit_log")
      .select("seq")
      .where("partnership_id", "=", partnership.partnershipId)
      .where("action", "=", action)
      .where("record_id", "=", recordId)
      .execute()
  ).length;

/** Sets the file's fixtures up before its tests and closes them after; call it at the file's top level. */
export const useAssessmentsTestApp = () => {
  useTestApp({ children: 30 });
};
