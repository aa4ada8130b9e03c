// SPDX-License-Identifier: MIT
/** Record history: who has viewed or changed a record. Administrators and auditors only. */
import { z } from "zod";
import type { AppContext } from "../web/app.ts";
import { noErrors, parseForm } from "../web/forms.ts";
import { requireSignedIn } from "../web/guards.ts";

/** The record types Hearth audits so far; later areas add theirs. */
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

const AUDIT_READERS = requireSignedIn("administrator", "auditor");

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

  app.get<{ Params: { recordType: string; recordId: string } }>(
    "/audit/:recordType/:recordId",
    { preHandler: AUDIT_READERS },
    async (request, reply) => {
      const form = parseForm(ZLookup, request.params);
      if (!form.ok) return reply.code(404).page("web/views/not-found.njk", { title: "Page not found" });
      const entries = await request.repo.auditHistory(form.values.recordType, form.values.recordId);
      return reply.page("audit/views/history.njk", {
        title: "Record history",
        recordTypeLabel: AUDITED_RECORD_TYPES[form.values.recordType],
        recordId: form.values.recordId,
        entries: entries.map((e) => ({ ...e, detailsText: describeDetails(e.details) })),
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
