// SPDX-License-Identifier: MIT
/** Assessment rules (DfE CIN census 2024-25). */
import { addWorkingDays } from "../../kernel/calendar.ts";
import { type CinRule, child, episodes, has, inYear, outsideYear } from "./types.ts";

/** DfE's assessment factor codes (8A is refused by 8617; 18A and 19A are queried by 8945Q and 8950Q). */
const FACTORS = new Set(
  "1A 1B 1C 2A 2B 2C 3A 3B 3C 4A 4B 4C 5A 5B 5C 6A 6B 6C 7A 8B 8C 8D 8E 8F 9A 10A 11A 12A 13A 14A 15A 16A 17A 18A 18B 18C 19A 19B 19C 20 21 22A 23A 24A".split(
    " ",
  ),
);

export const ASSESSMENT_RULES: CinRule[] = [
  child(
    "1103",
    "Assessments",
    "The assessment start date cannot be before the referral date",
    "Every assessment start date, against its episode's referral.",
    (c) =>
      episodes(c, (e, n) =>
        e.assessments
          .filter((a) => has(a.start) && a.start < e.referralDate)
          .map((a) => `episode ${n}: assessment from ${a.start}`),
      ),
  ),
  child(
    "8608",
    "Assessments",
    "Assessment Start Date cannot be later than its End Date",
    "Every authorised assessment.",
    (c) =>
      episodes(c, (e, n) =>
        e.assessments
          .filter((a) => has(a.authorised) && a.start > a.authorised)
          .map((a) => `episode ${n}: ${a.start} to ${a.authorised}`),
      ),
  ),
  child(
    "8614",
    "Assessments",
    "Parental or child factors at assessment should only be present for a completed assessment.",
    "Every assessment with factors.",
    (c) =>
      episodes(c, (e, n) =>
        e.assessments
          .filter((a) => !has(a.authorised) && a.factors.length > 0)
          .map((a) => `episode ${n}: assessment from ${a.start}`),
      ),
  ),
  child(
    "8617",
    "Assessments",
    "Code 8A has been returned. This code is not a valid code.",
    "Every assessment factor.",
    (c) =>
      episodes(c, (e, n) => e.assessments.filter((a) => a.factors.includes("8A")).map(() => `episode ${n}`)),
  ),
  child(
    "8670Q",
    "Assessments",
    "Please check: Assessment started more than 45 working days before the end of the census year. However, there is no Assessment end date.",
    "Unauthorised assessments, 45 working days from their start to the reference date.",
    (c, ctx) =>
      episodes(c, (e, n) =>
        e.assessments
          .filter(
            (a) => !has(a.authorised) && has(a.start) && addWorkingDays(a.start, 45) < ctx.referenceDate,
          )
          .map((a) => `episode ${n}: assessment from ${a.start}`),
      ),
  ),
  child(
    "8696",
    "Assessments",
    "Assessment end date must fall within the census year",
    "Every assessment authorisation date present.",
    (c, ctx) =>
      episodes(c, (e, n) =>
        e.assessments
          .filter((a) => outsideYear(a.authorised, ctx))
          .map((a) => `episode ${n}: authorised ${a.authorised}`),
      ),
  ),
  child(
    "8736",
    "Assessments",
    "For an Assessment that has not been completed, the start date must fall within the census year",
    "Assessments with no authorisation date.",
    (c, ctx) =>
      episodes(c, (e, n) =>
        e.assessments
          .filter((a) => !has(a.authorised) && !inYear(a.start, ctx))
          .map((a) => `episode ${n}: started ${a.start}`),
      ),
  ),
  child(
    "8863Q",
    "Assessments",
    "An Assessment is shown as starting when there is another Assessment ongoing.",
    "Within one episode, each assessment's start against the other assessments (start to authorisation, or to the reference date when not authorised).",
    (c, ctx) =>
      episodes(c, (e, n) =>
        e.assessments.flatMap((a) =>
          e.assessments
            .filter(
              (o) =>
                !(o.start === a.start && o.authorised === a.authorised) &&
                a.start >= o.start &&
                a.start <= (o.authorised ?? ctx.referenceDate),
            )
            .map((o) => `episode ${n}: assessment from ${a.start} starts during the one from ${o.start}`),
        ),
      ),
  ),
  child(
    "8869",
    "Assessments",
    "The assessment factors code “21” cannot be used in conjunction with any other assessment factors.",
    "Every assessment's factors.",
    (c) =>
      episodes(c, (e, n) =>
        e.assessments
          .filter((a) => a.factors.includes("21") && a.factors.length > 1)
          .map(() => `episode ${n}`),
      ),
  ),
  child(
    "8873Q",
    "Assessments",
    "Please check and either amend data or provide a reason: When there is only one assessment on the episode and the factors code “21 No factors identified” has been used for the completed assessment, the reason for closure ‘RC8’ or 'RC9' should be used.",
    "Episodes with exactly one assessment, whose factors include 21: the reason for closure is RC8 or RC9.",
    (c) =>
      episodes(c, (e, n) => {
        const only = e.assessments.length === 1 ? e.assessments[0] : undefined;
        if (!only?.factors.includes("21")) return [];
        return e.closureReason === "RC8" || e.closureReason === "RC9"
          ? []
          : [`episode ${n}: ${e.closureReason ? `closed ${e.closureReason}` : "open"}`];
      }),
  ),
  child(
    "8896",
    "Assessments",
    "Within one CINDetails group there are 2 or more open Assessments groups",
    "Assessments with no authorisation date, per episode.",
    (c) =>
      episodes(c, (e, n) =>
        e.assessments.filter((a) => !has(a.authorised)).length > 1 ? [`episode ${n}`] : [],
      ),
  ),
  child(
    "8897Q",
    "Assessments",
    "Parental or child factors at assessment information is missing from a completed assessment",
    "Assessments authorised on or after the start of the census year: one or more factors, each a valid code.",
    (c, ctx) =>
      episodes(c, (e, n) =>
        e.assessments
          .filter(
            (a) =>
              has(a.authorised) &&
              a.authorised >= ctx.collectionStart &&
              (a.factors.length === 0 || a.factors.some((f) => !FACTORS.has(f))),
          )
          .map(
            (a) =>
              `episode ${n}: assessment authorised ${a.authorised}, factors ${a.factors.join(" ") || "(none)"}`,
          ),
      ),
  ),
  child(
    "8898",
    "Assessments",
    "The assessment has more than one parental or child factors with the same code",
    "Every assessment's factors.",
    (c) =>
      episodes(c, (e, n) =>
        e.assessments.filter((a) => new Set(a.factors).size !== a.factors.length).map(() => `episode ${n}`),
      ),
  ),
  child(
    "8945Q",
    "Assessments",
    "Please check and either amend data or provide a reason: the assessment factors code '18A' should not be used ('18B' or '18C' should be used instead)",
    "Every assessment factor.",
    (c) =>
      episodes(c, (e, n) =>
        e.assessments
          .filter((a) => a.factors.some((f) => f.toUpperCase() === "18A"))
          .map(() => `episode ${n}`),
      ),
  ),
  child(
    "8950Q",
    "Assessments",
    "Please check and either amend data or provide a reason: the assessment factors code '19A' should not be used ('19B' or '19C' should be used instead)",
    "Every assessment factor.",
    (c) =>
      episodes(c, (e, n) =>
        e.assessments
          .filter((a) => a.factors.some((f) => f.toUpperCase() === "19A"))
          .map(() => `episode ${n}`),
      ),
  ),
];
