// SPDX-License-Identifier: MIT
/**
 * Published figures shown beside indicators as context (absence, injuries, the workforce, DfE file C4):
 * Hearth shows them and never computes them.
 */
import type { ContextBenchmark } from "./types.ts";

const ABSENCE_SOURCE =
  "DfE, pupil absence of children in social care (Total of all school phases; academic year shown against the 31 March inside it)";

/** Persistent absence of children on a CP plan and in need at 31 March (DfE). */
export const ABSENCE_CONTEXT: readonly ContextBenchmark[] = (["cpp", "cin"] as const).map((group) => ({
  title:
    group === "cpp"
      ? "Pupils on a child protection plan at 31 March who were persistently absent (%)"
      : "Pupils in need at 31 March (not on a plan or looked after) who were persistently absent (%)",
  source: ABSENCE_SOURCE,
  unit: "percent",
  spec: {
    numerator: `absence.${group}_t_pupils_pa_10_exact`,
    denominator: `absence.${group}_t_pupils`,
    published: `absence.${group}_pt_pupils_pa_10_exact`,
    multiplier: 100,
  },
  note: "Persistent absence is missing 10% or more of possible sessions. Hearth counts the children with a persistent absence entry in their chronology; it does not know every pupil's sessions, so it does not compute this percentage.",
}));

/** Hospital admissions for injuries, children aged 0 to 14 (OHID). */
export const INJURIES_CONTEXT: readonly ContextBenchmark[] = [
  {
    title:
      "Hospital admissions caused by unintentional and deliberate injuries, children aged 0 to 14, per 10,000",
    source: "OHID Fingertips, indicator 90284 (financial year; no regional figure is published)",
    unit: "rate",
    spec: {
      numerator: "injuries.count",
      denominator: "injuries.denominator",
      published: "injuries.rate",
      multiplier: 10000,
    },
    note: "Hearth records injuries and A&E attendances in children's chronologies but not every admission in the area, so it does not compute this rate.",
  },
];

const CSWW_SOURCE =
  "DfE, children's social work workforce (figures at 30 September, in the year DfE publishes them)";
const CSWW_NOTE =
  "The authority's social workers, not only those working with neglect: context for how quickly work is done.";

/** The children's social work workforce (DfE). */
export const WORKFORCE_CONTEXT: readonly ContextBenchmark[] = [
  {
    title: "Social worker turnover (%, full-time equivalent)",
    source: CSWW_SOURCE,
    unit: "percent",
    spec: {
      numerator: "csww.leavers_fte",
      denominator: "csww.inpost_fte",
      published: "csww.turnover_rate_fte",
      multiplier: 100,
    },
    note: CSWW_NOTE,
  },
  {
    title: "Agency social workers (%, full-time equivalent)",
    source: CSWW_SOURCE,
    unit: "percent",
    spec: {
      numerator: "csww.agency_fte",
      denominator: "csww.inpost_and_agency_fte",
      published: "csww.agency_rate_fte",
      multiplier: 100,
    },
    note: CSWW_NOTE,
  },
  {
    title: "Social worker vacancies (%, full-time equivalent)",
    source: CSWW_SOURCE,
    unit: "percent",
    spec: {
      numerator: "csww.vacancy_fte",
      denominator: "csww.inpost_and_vacancy_fte",
      published: "csww.vacancy_rate_fte",
      multiplier: 100,
    },
    note: CSWW_NOTE,
  },
  {
    title: "Average caseload per case-holding social worker (full-time equivalent)",
    source: CSWW_SOURCE,
    unit: "count",
    spec: {
      numerator: "csww.cases",
      denominator: "csww.case_holders_fte",
      published: "csww.caseload_fte",
      multiplier: 1,
    },
    note: CSWW_NOTE,
  },
];

/** Section 47 enquiries, conferences and the days between them (DfE file C4). */
export const C4_CONTEXT: readonly ContextBenchmark[] = [
  {
    title: "Median working days from the start of a section 47 enquiry to the initial conference",
    source: "DfE, children in need, file C4",
    unit: "count",
    spec: { numerator: "c4.Duration_median", multiplier: 1, combinable: false },
    note: "DfE's median over the authority's conferences; a median cannot be added across authorities, so a partnership of several has none.",
  },
];
