// SPDX-License-Identifier: MIT
/**
 * Retention pages:
 * - /retention?month=YYYY-MM: the month's closed records due for review (safeguarding lead);
 * - /retention/:personId/archive: one record's review and the archive form with its reason;
 * - /retention/archived: the archive (safeguarding lead and auditor);
 * - /settings/retention: the rules, a new version with a reason (administrator and safeguarding lead).
 * Other roles are refused with a 403, which the app audits as a denial.
 */
import { todayInEngland } from "../kernel/calendar.ts";
import type { AppContext } from "../web/app.ts";
import { formRoute, justSaved, readingOf } from "../web/form-route.ts";
import { addError, fieldError, noErrors, showForm } from "../web/forms.ts";
import { forbidden, requireAllowed } from "../web/guards.ts";
import { byPathId, type FormBody, idParam, textField } from "../web/request-values.ts";
import { RETENTION_BOUNDS, RETENTION_RULE_KEYS, type RetentionRules } from "./rules.ts";

const REVIEWERS = requireAllowed("retention.review");
const ARCHIVE_READERS = requireAllowed("retention.archived");
const RULE_SETTERS = requireAllowed("settings.manage");

/** Reads the rules form: every problem at once, each naming its field. */
export const readRulesForm = (body: FormBody) => {
  const errors = noErrors();
  const rules: Record<string, number> = {};
  for (const key of RETENTION_RULE_KEYS) {
    const raw = textField(body, key).trim();
    const { min, max, label } = RETENTION_BOUNDS[key];
    const n = /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
    if (Number.isNaN(n) || n < min || n > max)
      addError(errors, key, `${label}: enter a whole number from ${min} to ${max}`);
    rules[key] = n;
  }
  const reason = textField(body, "reason").trim();
  if (reason === "") addError(errors, "reason", "Enter why the retention rules are changing");
  else if (reason.length > 2000) addError(errors, "reason", "The reason must be 2000 characters or fewer");
  return { rules: rules as RetentionRules, reason, errors };
};

export const registerRetentionRoutes = ({ app }: AppContext): void => {
  app.get("/retention", { preHandler: REVIEWERS }, async (request, reply) => {
    const asked = (request.query as Record<string, unknown>).month;
    const thisMonth = todayInEngland().slice(0, 7);
    const month = typeof asked === "string" && asked !== "" ? asked.trim() : thisMonth;
    let page = await request.repo.retention.reviewList(month);
    let errors = noErrors();
    if (!page && month !== thisMonth) {
      errors = fieldError("month", "Enter the month as a year and month, for example 2026-12");
      page = await request.repo.retention.reviewList(thisMonth);
    }
    if (!page) return forbidden(reply);
    return showForm(reply, "retention/views/review-list.njk", errors, {
      title: "Records due for retention review",
      ...page,
      monthValue: errors.list.length ? month : page.month,
      archived: (request.query as Record<string, unknown>).archived === "1",
    });
  });

  formRoute(app, {
    path: "/retention/:personId/archive",
    preHandler: REVIEWERS,
    view: "retention/views/archive.njk",
    page: async (request) => {
      const found = await byPathId(request, "personId", (id) => request.repo.retention.reviewRecord(id));
      return (
        found && {
          title: `Archive the record of ${found.record.given_names} ${found.record.family_name}`,
          ...found,
        }
      );
    },
    initial: () => ({}),
    // The repository checks the reason, so that no archive is ever made without one.
    read: (body, request) => {
      const personId = idParam(request, "personId");
      return personId
        ? readingOf(noErrors(), { personId, reason: textField(body, "reason").trim() })
        : undefined;
    },
    save: (request, { personId, reason }) => request.repo.retention.archive(personId, reason),
    refusedField: "reason",
    next: () => "/retention?archived=1",
  });

  app.get("/retention/archived", { preHandler: ARCHIVE_READERS }, async (request, reply) => {
    const records = await request.repo.retention.archivedRecords();
    if (!records) return forbidden(reply);
    return reply.page("retention/views/archived.njk", { title: "Archived records", records });
  });

  formRoute(app, {
    path: "/settings/retention",
    preHandler: RULE_SETTERS,
    view: "retention/views/rules.njk",
    missing: "forbidden",
    page: async (request) => {
      const page = await request.repo.retention.rulesPage();
      return (
        page && {
          title: "Settings: retention rules",
          ...page,
          saved: justSaved(request),
          keys: RETENTION_RULE_KEYS,
          bounds: RETENTION_BOUNDS,
        }
      );
    },
    initial: (page) => Object.fromEntries(RETENTION_RULE_KEYS.map((key) => [key, String(page.current[key])])),
    read: (body) => {
      const form = readRulesForm(body);
      return readingOf(form.errors, form);
    },
    save: (request, form) => request.repo.retention.saveRules(form.rules, form.reason),
    refusedField: "reason",
    next: () => "/settings/retention?saved=1",
  });
};
