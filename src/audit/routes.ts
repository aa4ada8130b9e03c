// SPDX-License-Identifier: MIT
/** Record history: who has viewed or changed a record. Administrators and auditors only. */
import { z } from "zod";
import type { AppContext } from "../web/app.ts";
import { noErrors, parseForm } from "../web/forms.ts";
import { notFound, requireAllowed } from "../web/guards.ts";

/** Every record type Hearth writes to the audit log, as the lookup offers them. */
export const AUDITED_RECORD_TYPES = {
  user: "User account",
  agency: "Agency",
  team: "Team",
  session: "Session",
  person: "Person (child or adult)",
  involvement: "Involvement",
  "chronology-event": "Chronology entry",
  relationship: "Relationship",
  "household-member": "Household membership",
  assessment: "Assessment",
  "assessment-tool-version": "Assessment tool version",
  "need-levels": "Levels of need",
  "level-decision": "Level of need decision",
  "support-request": "Request for support",
  "csc-event": "Social care event",
  "early-help": "Early help",
  "early-help-member": "Early help team member",
  "early-help-outcome": "Early help outcome",
  "early-help-action": "Early help action",
  "early-help-review": "Early help review",
  "step-down": "Step-down to early help",
  supervision: "Supervision",
  escalation: "Escalation",
  alerts: "Alerts",
  indicator: "Indicator",
  "indicator-commentary": "Indicator commentary",
  "board-report": "Board report",
  "cin-census": "CIN census",
  partnership: "Partnership",
  "partnership-settings": "Pathway settings",
} as const;
const RECORD_TYPE_CODES = Object.keys(AUDITED_RECORD_TYPES) as [
  keyof typeof AUDITED_RECORD_TYPES,
  ...(keyof typeof AUDITED_RECORD_TYPES)[],
];

const ZLookup = z.object({
  recordType: z.enum(RECORD_TYPE_CODES, { error: "Select the type of record" }),
  recordId: z
    .string()
    .trim()
    .min(1, "Enter the record's reference")
    .max(100, "The reference must be 100 characters or fewer"),
});

const AUDIT_READERS = requireAllowed("audit.read");

const isoDay = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Enter a date like 2026-03-27")
  .refine((value) => !Number.isNaN(Date.parse(value)), "Enter a real date")
  .optional()
  .or(z.literal("").transform(() => undefined));

const ZDenialFilters = z
  .object({
    user: z
      .string()
      .trim()
      .max(100)
      .optional()
      .transform((value) => value || undefined),
    from: isoDay,
    to: isoDay,
    page: z.coerce.number().int().min(1).max(10_000).optional().catch(1),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, {
    path: ["to"],
    error: "The end date must not be before the start date",
  });

export const registerAuditRoutes = ({ app }: AppContext) => {
  app.get<{ Querystring: Record<string, string> }>(
    "/audit",
    { preHandler: AUDIT_READERS },
    async (request, reply) => {
      if (Object.keys(request.query).length === 0) {
        return reply.page("audit/views/lookup.njk", {
          title: "Record history",
          errors: noErrors(),
          values: {},
          types: AUDITED_RECORD_TYPES,
        });
      }
      const form = parseForm(ZLookup, request.query);
      if (!form.ok) {
        return reply.code(400).page("audit/views/lookup.njk", {
          title: "Record history",
          errors: form.errors,
          values: request.query,
          types: AUDITED_RECORD_TYPES,
        });
      }
      return reply.redirect(`/audit/${form.values.recordType}/${encodeURIComponent(form.values.recordId)}`);
    },
  );

  app.get<{ Querystring: Record<string, string> }>(
    "/audit/denials",
    { preHandler: AUDIT_READERS },
    async (request, reply) => {
      const users = await request.repo.organisation.listUsers();
      const form = parseForm(ZDenialFilters, request.query);
      if (!form.ok) {
        return reply.code(400).page("audit/views/denials.njk", {
          title: "Refused requests",
          errors: form.errors,
          values: request.query,
          users,
          rows: [],
        });
      }
      const { user, from, to } = form.values;
      const page = form.values.page ?? 1;
      const { rows, hasMore } = await request.repo.auditTrail.listDenials({ userId: user, from, to }, page);
      const query = (p: number) =>
        `/audit/denials?${new URLSearchParams({ user: user ?? "", from: from ?? "", to: to ?? "", page: String(p) })}`;
      return reply.page("audit/views/denials.njk", {
        title: "Refused requests",
        errors: noErrors(),
        values: { user, from, to },
        users,
        rows,
        page,
        previousHref: page > 1 ? query(page - 1) : undefined,
        nextHref: hasMore ? query(page + 1) : undefined,
      });
    },
  );

  app.get<{ Params: { recordType: string; recordId: string } }>(
    "/audit/:recordType/:recordId",
    { preHandler: AUDIT_READERS },
    async (request, reply) => {
      const form = parseForm(ZLookup, request.params);
      if (!form.ok) return notFound(reply);
      const entries = await request.repo.auditTrail.auditHistory(
        form.values.recordType,
        form.values.recordId,
      );
      return reply.page("audit/views/history.njk", {
        title: "Record history",
        recordTypeLabel: AUDITED_RECORD_TYPES[form.values.recordType],
        recordId: form.values.recordId,
        entries: entries.map((e) => ({
          ...e,
          detailsText: e.details ? describeDetails(e.details) : describeHiddenDetails(e.changed_fields),
        })),
      });
    },
  );
};

const describeDetails = (details: Record<string, unknown>): string =>
  Object.entries(details)
    .map(([field, value]) =>
      Array.isArray(value) && value.length === 2
        ? `${field.replace(/_/g, " ")}: ${value[0] ?? "(none)"} → ${value[1] ?? "(none)"}`
        : `${field.replace(/_/g, " ")}: ${String(value)}`,
    )
    .join("; ");

/** Where the reader may not see a record's content: which fields the row holds, never their values. */
const describeHiddenDetails = (fields: string[]): string =>
  fields.length === 0
    ? ""
    : `Content not shown. Fields: ${fields.map((f) => f.replace(/_/g, " ")).join(", ")}`;
