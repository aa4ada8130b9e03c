// SPDX-License-Identifier: MIT
/**
 * Every refusal is audited. A signed-in caller's request that ends as a 403 (a role guard, a record they
 * may not open, a forged form), or as a 404 on a route that names a record in its path, writes a
 * "denied" row to the caller's own partnership chain: who, what was attempted (method and route
 * pattern) and which record. Handlers only have to refuse with the right status; nothing is missed when
 * a route is added.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";

/** Route parameters that name a record, and the audit log's type for that record. */
const RECORD_PARAMS: Record<string, string> = {
  personId: "person",
  eventId: "chronology-event",
  involvementId: "involvement",
  mergeId: "person-merge",
  assessmentId: "assessment",
  visitId: "assessment-visit",
  targetId: "assessment-target",
  toolVersionId: "assessment-tool-version",
  requestId: "support-request",
  earlyHelpId: "early-help",
  actionId: "early-help-action",
  episodeId: "episode",
  escalationId: "escalation",
  householdId: "household",
  membershipId: "household-member",
  relationshipId: "relationship",
  signalId: "signal",
  planId: "plan",
  caseRecordId: "casework-record",
  authorisationId: "authorisation",
  notificationId: "notification",
  userId: "user",
  sessionId: "session",
  jobId: "board-report-job",
  recordId: "audit-history",
  id: "indicator",
  familyAssessmentId: "family-assessment",
  importId: "agency-import",
  roundId: "audit-round",
  responseId: "feedback-response",
  courseId: "training-course",
  trainingSessionId: "training-session",
  providerId: "sign-in-provider",
  mappingId: "sso-group-mapping",
};

/** Parameters that are secrets: never written to the log. */
const SECRET_PARAMS = new Set(["token"]);

/** Routes where a parameter names another kind of record than it does elsewhere. */
const RECORD_TYPES_BY_ROUTE: { route: RegExp; param: string; recordType: string }[] = [
  { route: /^\/involvement-requests\//, param: "requestId", recordType: "involvement-request" },
  { route: /^\/learning\/actions\//, param: "actionId", recordType: "audit-action" },
];

// PostgreSQL text cannot hold U+0000; an attacker's 10,000-character id need not be kept whole.
const clean = (value: string): string => value.replaceAll("\u0000", "\uFFFD").slice(0, 200);

export type Denial = {
  recordType: string;
  recordId: string;
  details: { method: string; route: string; params: Record<string, string> };
};

/** The route a request matched, kept as it arrived: `reply.callNotFound()` later swaps in the 404 route. */
const matched = new WeakMap<FastifyRequest, { route: string | undefined; params: Record<string, string> }>();

/**
 * What to record for a finished request, or undefined if it was not a refusal worth recording.
 * @param request - The request, with its matched route pattern and params.
 * @param statusCode - The response's status.
 */
export const denialFor = (request: FastifyRequest, statusCode: number): Denial | undefined => {
  const { route, params } = matched.get(request) ?? {
    route: request.routeOptions.url,
    params: (request.params ?? {}) as Record<string, string>,
  };
  const names = Object.keys(params).filter((name) => name !== "*");
  if (statusCode !== 403 && !(statusCode === 404 && route !== undefined && names.length > 0))
    return undefined;
  const kept = Object.fromEntries(
    names.map((name) => [name, SECRET_PARAMS.has(name) ? "[redacted]" : clean(String(params[name]))]),
  );
  // The most specific record the path names: the last parameter that is a record id.
  const recordParam = [...names].reverse().find((name) => RECORD_PARAMS[name]);
  let recordType = recordParam ? (RECORD_PARAMS[recordParam] as string) : "route";
  const special = RECORD_TYPES_BY_ROUTE.find((r) => r.param === recordParam && route && r.route.test(route));
  if (special) recordType = special.recordType;
  const recordId = recordParam
    ? (kept[recordParam] as string)
    : clean(route ?? request.url.split("?")[0] ?? "");
  return { recordType, recordId, details: { method: request.method, route: route ?? "", params: kept } };
};

/**
 * Adds the hook that audits refusals. It is awaited, so the row exists when the response is sent.
 * @param app - The app, before its routes are registered.
 */
export const auditDenials = (app: FastifyInstance): void => {
  app.addHook("onRequest", async (request) => {
    matched.set(request, {
      route: request.routeOptions.url,
      params: { ...((request.params ?? {}) as Record<string, string>) },
    });
  });
  app.addHook("onSend", async (request, reply, payload) => {
    if (request.session?.stage !== "complete") return payload;
    const denial = denialFor(request, reply.statusCode);
    if (!denial) return payload;
    try {
      await request.repo.auditTrail.recordDenial(denial);
    } catch (error) {
      // The refusal stands either way; a failed audit write is for the operators to see.
      request.log.error({ err: error }, "could not record a denial");
    }
    return payload;
  });
};

/** Method and pattern of every route an app has, in registration order. */
export type RegisteredRoute = { method: string; url: string };

const routeTables = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/**
 * Starts collecting the routes registered on `app` from now on (see {@link registeredRoutes}).
 * @param app - The app, before any route is registered.
 */
export const collectRoutes = (app: FastifyInstance): void => {
  const routes: RegisteredRoute[] = [];
  routeTables.set(app, routes);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
};

/** @returns The routes collected for `app`, so tests can walk every one. */
export const registeredRoutes = (app: FastifyInstance): readonly RegisteredRoute[] =>
  routeTables.get(app) ?? [];
