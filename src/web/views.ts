// SPDX-License-Identifier: MIT
/**
 * Nunjucks with govuk-frontend's own macros. Templates live beside the code of their domain area
 * (`src/<area>/views/*.njk`) and extend the shared layout in `src/web/views/layout.njk`.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import nunjucks from "nunjucks";
import { EVENT_TYPES, type EventType } from "../chronology/codes.ts";
import { todayInEngland } from "../kernel/calendar.ts";
import { AGENCY_TYPES, ROLES } from "../organisation/codes.ts";
import { asList } from "./forms.ts";
import { keepFrameNameParts } from "./nunjucks-frames.ts";

const require = createRequire(import.meta.url);
export const GOVUK_FRONTEND_DIST = join(dirname(require.resolve("govuk-frontend/package.json")), "dist");
export const SRC_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "long",
  year: "numeric",
  hour: "numeric",
  minute: "2-digit",
  hour12: true,
  timeZone: "Europe/London",
});

const isoDateFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});

/** @returns A calendar date (YYYY-MM-DD) as people write it, "1 March 2024". */
export const formatIsoDate = (value: string): string => isoDateFormat.format(new Date(`${value}T00:00:00Z`));

/**
 * Hearth's one date style, GOV.UK's "2 December 2026": a calendar date (YYYY-MM-DD) as written, a moment
 * (a Date or a timestamp) on its day in England.
 * @returns The date in words, or "" for nothing.
 */
export const formatDay = (value: Date | string | null | undefined): string => {
  if (value === null || value === undefined || value === "") return "";
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return formatIsoDate(value);
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : londonDayFormat.format(date);
};

const londonDayFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "Europe/London",
});

/** @returns The text with every ISO calendar date in it (2026-12-02) written "2 December 2026". */
export const datesInWords = (text: string): string =>
  text.replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, (iso) =>
    Number.isNaN(Date.parse(iso)) ? iso : formatIsoDate(iso),
  );

/**
 * @param count - How many.
 * @param singular - The noun for one ("visit").
 * @param plural - The noun for several, when not the singular with an "s" ("entries").
 * @returns "1 visit", "3 visits", "0 visits", with the count written en-GB (5,000).
 */
export const pluralise = (count: number, singular: string, plural = `${singular}s`): string =>
  `${count.toLocaleString("en-GB")} ${count === 1 ? singular : plural}`;

/** @returns Whole years between a date of birth and a date, both YYYY-MM-DD. */
export const ageInYears = (dateOfBirth: string, on: string): number => {
  const years = Number(on.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  return on.slice(5) < dateOfBirth.slice(5) ? years - 1 : years;
};

/**
 * Templates are read from disk only in development (NODE_ENV=development), where an edited template shows
 * on the next request; otherwise each is read and compiled once, on first use, and kept.
 */
const DEVELOPMENT = process.env.NODE_ENV === "development";

let shared: nunjucks.Environment | undefined;

/**
 * The process's one Nunjucks environment: every app built in this process shares it, and with it the
 * compiled templates.
 */
export const viewEnvironment = (): nunjucks.Environment => {
  shared ??= createViewEnvironment();
  return shared;
};

/** @returns A new Nunjucks environment with Hearth's filters, autoescaping on. */
export const createViewEnvironment = (): nunjucks.Environment => {
  keepFrameNameParts();
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([SRC_DIR, GOVUK_FRONTEND_DIST], {
      noCache: DEVELOPMENT,
      watch: false,
    }),
    {
      autoescape: true,
      throwOnUndefined: false,
    },
  );
  // Nunjucks' own `trim` is `replace(/^\s*|\s*$/g, "")`, which tries `\s*$` from every character and so
  // rescans each run of whitespace once per character in it: GOV.UK Frontend's macros trim every
  // component's HTML (a table's rows, then the table), and on a 5,000-entry family chronology or a page of
  // search results that was a fifth of the server's time. String.prototype.trim removes the same
  // characters (\s and trim share ECMAScript's WhiteSpace and LineTerminator) in one pass, and escaped
  // (safe) text stays marked safe.
  const builtinTrim = env.getFilter("trim");
  env.addFilter("trim", (value: unknown) => {
    if (typeof value === "string") return value.trim();
    if (value instanceof nunjucks.runtime.SafeString)
      return new nunjucks.runtime.SafeString(value.toString().trim());
    return builtinTrim(value);
  });
  env.addFilter("dateTime", (value: Date | string | null | undefined) =>
    value ? dateTimeFormat.format(new Date(value)) : "",
  );
  env.addFilter("number", (value: number | null | undefined) =>
    typeof value === "number" ? value.toLocaleString("en-GB") : "",
  );
  // A checkbox list as sent: one box ticked comes as a string, none as nothing.
  env.addFilter("asList", asList);
  env.addFilter("isoDate", (value: string | null | undefined) => (value ? formatIsoDate(value) : ""));
  // One date style everywhere: `{{ when | govukDate }}` for a date or a moment, `| datesInWords` for a
  // sentence built elsewhere with ISO dates in it (alerts' summaries and evidence).
  env.addFilter("govukDate", formatDay);
  env.addFilter("datesInWords", (value: string | null | undefined) =>
    value ? datesInWords(String(value)) : "",
  );
  // A level of need's code in the partnership's own words: `{{ code | levelName(levels) }}`.
  env.addFilter(
    "levelName",
    (code: string | null | undefined, levels: readonly { code: string; name: string }[] | undefined) =>
      code ? (levels?.find((level) => level.code === code)?.name ?? code) : "",
  );
  // "front door (MASH)" in a sentence: only the first letter lowered, so abbreviations keep their capitals.
  env.addFilter("lowerFirst", (value: string | null | undefined) =>
    value ? value.charAt(0).toLowerCase() + value.slice(1) : "",
  );
  env.addFilter("plural", (count: number, singular: string, plural?: string) =>
    pluralise(Number(count) || 0, singular, plural),
  );
  env.addFilter("ageOn", (dateOfBirth: string | null | undefined, on?: string) =>
    dateOfBirth ? ageInYears(dateOfBirth, on ?? todayInEngland()) : undefined,
  );
  env.addFilter("eventTypeLabel", (code: string) => EVENT_TYPES[code as EventType]?.label ?? code);
  env.addFilter("label", (code: string, labels: Record<string, string>) => labels?.[code] ?? code);
  env.addFilter("roleLabel", (code: string) => ROLES[code as keyof typeof ROLES] ?? code);
  env.addFilter("agencyTypeLabel", (code: string) => AGENCY_TYPES[code as keyof typeof AGENCY_TYPES] ?? code);
  env.addGlobal("ROLES", ROLES);
  env.addGlobal("AGENCY_TYPES", AGENCY_TYPES);
  return env;
};
