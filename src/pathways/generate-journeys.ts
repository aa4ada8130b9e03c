// SPDX-License-Identifier: MIT
/**
 * Synthetic social care journeys that follow England's national proportions (spec-cin-census.md §4):
 * about 22% of referrals are re-referrals within 12 months, 6.5% end with no further action, about 30%
 * of assessments find the child not in need, about 30% of referrals lead to a section 47 enquiry and 10%
 * to a child protection plan, neglect is the commonest category (about half), a quarter of plans are
 * second or subsequent plans, and ended plans last as D7 reports (16% under 3 months, 11% 3 to 6, 44%
 * 6 to 12, 25% 1 to 2 years, 4% over 2). Every journey passes the ported DfE rules. Pure: rows out,
 * nothing written; the main generator inserts them.
 */
import type { Insertable } from "kysely";
import type { CscEventTable } from "../db/schema.ts";
import type { Random } from "../generator/random.ts";
import { addCalendarDays, addMonths, addWorkingDays, type IsoDate, isWeekend } from "../kernel/calendar.ts";
import type { AbuseCategory, CscEventType, ReferralSource } from "./codes.ts";
import type { CscEvent } from "./episodes.ts";
import { icpcTarget } from "./timescales.ts";

export type JourneyChild = { personId: string; dateOfBirth: IsoDate | null };

export type JourneyOptions = {
  random: Random;
  partnershipId: string;
  /** The generator's "today": journeys end by then. */
  referenceDate: IsoDate;
  /** How many years of history to make. */
  years: number;
  /** Children's social care workers to allocate. */
  workerUserIds: readonly string[];
};

/** Referrals a year per child served: England's 632,830 referrals over about 12 million children. */
export const REFERRALS_PER_CHILD_YEAR = 0.053;

const weighted = <T>(random: Random, entries: readonly (readonly [T, number])[]): T => {
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let r = random.next() * total;
  for (const [value, w] of entries) {
    r -= w;
    if (r < 0) return value;
  }
  const last = entries.at(-1);
  if (!last) throw new Error("weighted pick from nothing");
  return last[0];
};

const SOURCES: readonly (readonly [ReferralSource, number])[] = [
  ["6", 28],
  ["2A", 21],
  ["3A", 5],
  ["3B", 3],
  ["3D", 4],
  ["3E", 3],
  ["1A", 6],
  ["5A", 5],
  ["5D", 6],
  ["4", 3],
  ["8", 5],
  ["1C", 2],
  ["9", 2],
  ["10", 7],
];
const CATEGORIES: readonly (readonly [AbuseCategory, number])[] = [
  ["NEG", 50],
  ["EMO", 35],
  ["PHY", 7.5],
  ["SAB", 3.5],
  ["MUL", 4],
];
/** Plan lengths in days, by the D7 bands. */
const PLAN_DAYS: readonly (readonly [[number, number], number])[] = [
  [[30, 90], 15.9],
  [[91, 182], 11],
  [[183, 365], 43.5],
  [[366, 730], 25.2],
  [[731, 900], 4.4],
];
const weekday = (date: IsoDate): IsoDate => {
  let d = date;
  while (isWeekend(d)) d = addCalendarDays(d, 1);
  return d;
};

/**
 * Makes one child's social care history.
 * @param child - The child.
 * @param options - Random source, dates and workers.
 * @returns The child's coded events, ready to insert.
 */
export const generateJourney = (
  child: JourneyChild,
  options: JourneyOptions,
): Insertable<CscEventTable>[] => {
  const { random, referenceDate } = options;
  const rows: Insertable<CscEventTable>[] = [];
  const earliest = addMonths(referenceDate, -12 * options.years);
  const born = child.dateOfBirth && child.dateOfBirth > earliest ? child.dateOfBirth : earliest;
  let cursor = weekday(addCalendarDays(born, random.int(0, 365 * options.years)));
  let plansSoFar = random.next() < 0.12 ? 1 : 0;
  const worker = options.workerUserIds.length ? random.pick(options.workerUserIds) : null;
  for (let referrals = 0; referrals < 4 && cursor < referenceDate; referrals += 1) {
    const episodeId = random.uuid();
    const event = (
      eventType: CscEventType,
      occurredOn: IsoDate,
      extra: Partial<Insertable<CscEventTable>> = {},
      eventId: string = random.uuid(),
    ) => {
      rows.push({
        partnership_id: options.partnershipId,
        event_id: eventId,
        person_id: child.personId,
        episode_id: episodeId,
        subject_id: null,
        event_type: eventType,
        occurred_on: occurredOn,
        origin: "generator",
        ...extra,
      });
      return eventId;
    };
    const referral = cursor;
    event("referral", referral, { code: weighted(random, SOURCES), worker_user_id: worker }, episodeId);
    let last = referral;
    const upTo = (date: IsoDate) => date <= referenceDate;
    /** An enquiry whose outcome would fall after the reference date: it ends with the episode, if that closes. */
    let pendingEnquiry: string | null = null;
    const close = (date: IsoDate, reason: string) => {
      if (upTo(date) && pendingEnquiry)
        // DfE 8868: a closed episode's enquiry has its outcome. A derived id keeps the random sequence.
        event(
          "icpc-not-required",
          date,
          { subject_id: pendingEnquiry },
          `c0c0c0c0${pendingEnquiry.slice(8)}`,
        );
      if (upTo(date)) event("closure", date, { code: reason });
      return date;
    };
    let closedOn: IsoDate | null = null;
    if (random.next() < 0.065) {
      event("referral-nfa", referral, { child_seen: true });
      closedOn = close(addWorkingDays(referral, 1), "RC8");
    } else {
      const neglect = random.next() < 0.18;
      event("primary-need", referral, {
        code: neglect
          ? "N1"
          : weighted(random, [
              ["N4", 4],
              ["N5", 3],
              ["N3", 1],
              ["N2", 1],
              ["N6", 1],
              ["N8", 1],
            ]),
      });
      const s47 = random.next() < 0.3;
      let icpcDay: IsoDate | null = null;
      let assessmentEnd: IsoDate;
      const start = addWorkingDays(referral, random.int(0, 3));
      const assessment = event("assessment-start", start);
      assessmentEnd = addWorkingDays(
        start,
        weighted(random, [
          [random.int(10, 30), 55],
          [random.int(31, 45), 35],
          [random.int(46, 70), 10],
        ]),
      );
      if (s47) {
        const enquiry = event("s47-start", start, { target_on: icpcTarget(start) });
        if (random.next() < 0.6) {
          icpcDay = addWorkingDays(start, random.next() < 0.8 ? random.int(8, 15) : random.int(16, 25));
          if (upTo(icpcDay)) event("icpc", icpcDay, { subject_id: enquiry });
          else {
            icpcDay = null;
            pendingEnquiry = enquiry;
          }
        } else if (upTo(addWorkingDays(start, 10))) {
          event("icpc-not-required", addWorkingDays(start, 10), { subject_id: enquiry });
        } else pendingEnquiry = enquiry;
      }
      const inNeed = icpcDay !== null || random.next() < 0.65;
      const factors = inNeed
        ? [
            ...(neglect || random.next() < 0.03 ? ["16A"] : []),
            ...(random.next() < 0.32 ? ["3B"] : []),
            ...(random.next() < 0.33 ? ["4B"] : []),
            ...(random.next() < 0.14 ? ["1B"] : []),
            ...(random.next() < 0.14 ? ["2B"] : []),
            ...(random.next() < 0.19 ? ["17A"] : []),
          ]
        : ["21"];
      if (factors.length === 0) factors.push("20");
      if (upTo(assessmentEnd))
        event("assessment-authorised", assessmentEnd, {
          subject_id: assessment,
          codes: factors,
          child_seen: true,
        });
      last = assessmentEnd;
      if (!upTo(assessmentEnd)) {
        cursor = referenceDate;
        break;
      }
      if (icpcDay && upTo(icpcDay)) {
        const category = weighted(random, CATEGORIES);
        const plan = event("cp-plan-start", icpcDay, { code: category, count: plansSoFar });
        plansSoFar += 1;
        const [min, max] = weighted(random, PLAN_DAYS);
        const end = weekday(addCalendarDays(icpcDay, random.int(min, max)));
        let review = weekday(addMonths(icpcDay, 3));
        while (review < end && upTo(review)) {
          event("cp-review", review, { subject_id: plan });
          review = weekday(addMonths(review, 6));
        }
        // Statutory visits in the plan's last few weeks (or up to today), every 10 working days or so.
        // biome-ignore lint/complexity/useMathMinMax: ISO date strings, not numbers.
        const visitsTo = end < referenceDate ? end : referenceDate;
        const recent = addCalendarDays(visitsTo, -60);
        let visit = recent > icpcDay ? weekday(recent) : addWorkingDays(icpcDay, 1);
        while (visit < visitsTo) {
          const seen = random.next() < 0.92;
          event("visit", visit, {
            subject_id: plan,
            child_seen: seen,
            seen_alone: seen && random.next() < 0.7,
          });
          visit = addWorkingDays(visit, random.next() < 0.85 ? random.int(8, 10) : random.int(11, 20));
        }
        if (!upTo(end)) {
          cursor = referenceDate;
          break;
        }
        event("cp-plan-end", end, { subject_id: plan });
        last = end;
        if (random.next() < 0.4) {
          const cin = event("cin-plan-start", addCalendarDays(end, 1));
          const cinEnd = weekday(addCalendarDays(end, random.int(60, 270)));
          if (!upTo(cinEnd)) {
            cursor = referenceDate;
            break;
          }
          event("cin-plan-end", cinEnd, { subject_id: cin });
          last = cinEnd;
        }
        // The episode closes after the assessment too (DfE 8565: no activity after the closure date).
        const lastActivity = last < assessmentEnd ? assessmentEnd : last;
        closedOn = close(addCalendarDays(lastActivity, 1), random.next() < 0.1 ? "RC9" : "RC7");
      } else if (inNeed && random.next() < 0.55) {
        const cinStart = addCalendarDays(assessmentEnd, 1);
        const cin = event("cin-plan-start", cinStart);
        const cinEnd = weekday(addCalendarDays(cinStart, random.int(60, 365)));
        if (!upTo(cinEnd)) {
          cursor = referenceDate;
          break;
        }
        event("cin-plan-end", cinEnd, { subject_id: cin });
        closedOn = close(addCalendarDays(cinEnd, 1), "RC7");
      } else {
        // RC8 ("no further action") cannot follow a section 47 enquiry (DfE 2990); the draw is kept so the
        // rest of the generated sequence is unchanged.
        closedOn = close(assessmentEnd, inNeed ? "RC7" : random.next() < 0.5 && !s47 ? "RC8" : "RC9");
      }
    }
    if (closedOn === null || !upTo(closedOn)) break;
    // About 22% of referrals come within 12 months of the one before.
    if (random.next() < 0.3) {
      cursor = weekday(addCalendarDays(closedOn, random.int(14, 300)));
      if (cursor <= addMonths(referral, 12) || random.next() < 0.5) continue;
    }
    cursor = weekday(addCalendarDays(closedOn, random.int(400, 900)));
    if (random.next() < 0.6) break;
  }
  return rows;
};

/**
 * Journeys for a partnership's children: a share of them (by the national referral rate over the years
 * asked for) get one or more social care episodes.
 * @param children - The partnership's children.
 * @param options - Random source, dates and workers.
 */
export const generateJourneys = (
  children: readonly JourneyChild[],
  options: JourneyOptions,
): Insertable<CscEventTable>[] => {
  const share = Math.min(0.6, REFERRALS_PER_CHILD_YEAR * options.years * 0.8);
  return children.flatMap((child) => (options.random.next() < share ? generateJourney(child, options) : []));
};

/** Generated events as the episode derivation takes them, per child, in the order they were generated. */
export const journeyEventsByPerson = (
  rows: readonly Insertable<CscEventTable>[],
): Map<string, CscEvent[]> => {
  const byPerson = new Map<string, CscEvent[]>();
  for (const r of rows) {
    const event: CscEvent = {
      eventId: r.event_id,
      personId: r.person_id,
      episodeId: r.episode_id,
      subjectId: r.subject_id ?? null,
      eventType: r.event_type,
      occurredOn: r.occurred_on,
      code: r.code ?? null,
      codes: (r.codes as string[] | undefined) ?? [],
      count: r.count ?? null,
      childSeen: r.child_seen ?? null,
      seenAlone: r.seen_alone ?? null,
      targetOn: r.target_on ?? null,
      workerUserId: r.worker_user_id ?? null,
    };
    const list = byPerson.get(r.person_id);
    if (list) list.push(event);
    else byPerson.set(r.person_id, [event]);
  }
  return byPerson;
};
