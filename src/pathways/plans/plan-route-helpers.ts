// SPDX-License-Identifier: MIT
/**
 * What the plans area's route modules share: the role guards, reading ids, text and the version from a
 * request, collecting form errors, the notices shown after a change, and finding the plan or casework
 * record a URL names (only when it belongs to the child the URL names).
 */
import type { FastifyRequest } from "fastify";
import { requireAllowed } from "../../web/guards.ts";
import { idParam, isId } from "../../web/request-values.ts";

export const CASE_ROLES = requireAllowed("records.read");
export const RECORDERS = requireAllowed("records.write");
export const MANAGERS = requireAllowed("plans.authorise");

export type Body = Record<string, unknown>;

/** A text field of a form, cut to a length no field needs more than. */
export const str = (body: Body, name: string): string => {
  const value = body[name];
  return typeof value === "string" ? value.slice(0, 20_000) : "";
};

/** The value if it is an id, else null. */
export const id = (value: string): string | null => (isId(value) ? value : null);

export const query = (request: FastifyRequest): Record<string, string | undefined> =>
  request.query as Record<string, string | undefined>;

/** The version asked for in the query string, if it is a sensible one. */
export const versionOf = (request: FastifyRequest): number | undefined => {
  const v = Number(query(request).version);
  return Number.isInteger(v) && v > 0 && v < 100_000 ? v : undefined;
};

/** The notice a page shows after the change its `notice` query names. */
export const noticeOf = (request: FastifyRequest): string | null =>
  NOTICES[query(request).notice ?? ""] ?? null;

const NOTICES: Record<string, string> = {
  created: "Saved",
  changed: "Saved as a new version; the earlier version is kept",
  reviewed: "Review recorded",
  submitted: "Sent to the manager for authorisation",
  decided: "Decision recorded; the author has been told",
};

/** The plan the URL names (a version of it, if asked), when it is the child's the URL names. */
export const planOf = async (request: FastifyRequest, version?: number) => {
  const personId = idParam(request, "personId");
  const planId = idParam(request, "planId");
  if (!personId || !planId) return undefined;
  const plan = await request.repo.plans.getPlan(planId, version);
  return plan && plan.plan.person_id === personId ? plan : undefined;
};

/** The casework record the URL names (a version of it, if asked), when it is the child's the URL names. */
export const recordOf = async (request: FastifyRequest, version?: number) => {
  const personId = idParam(request, "personId");
  const recordId = idParam(request, "caseRecordId");
  if (!personId || !recordId) return undefined;
  const record = await request.repo.plans.getRecord(recordId, version);
  return record && record.record.person_id === personId ? record : undefined;
};
