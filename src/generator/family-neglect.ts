// SPDX-License-Identifier: MIT
/** A generated family where neglect accumulates over years, noticed by different agencies for different children. */
import type { EventType } from "../chronology/codes.ts";
import { type AgencyRef, type DemoFamilyPlan, type Person, schoolStartDay, YEAR } from "./family-model.ts";
import type { FamilyStory } from "./family-story.ts";

/**
 * Missed appointments, falling attendance, police call-outs, housing trouble, early help and social care,
 * recorded into the family's story.
 */
export const tellNeglect = (
  story: FamilyStory,
  gp: AgencyRef,
  family: {
    maleAdults: Person[];
    moves: number[];
    partner: Person | null;
    otherAdult: Person | null;
    demo: DemoFamilyPlan | undefined;
  },
) => {
  const { org, random, ref } = story;
  const born = story.children.filter((c) => !c.unborn);
  const eldestDob = Math.min(...born.map((c) => c.dob ?? ref), ref);
  const windowStart = Math.max(eldestDob + 60, ref - random.int(400, Math.floor(5 * YEAR)));
  const span = Math.max(60, ref - windowStart);
  const severity = 0.6 + random.next();
  const dayIn = (from = windowStart, to = ref) => (to <= from ? from : random.int(from, to));
  const demo = family.demo;
  const withDa = !demo && family.maleAdults.length > 0 && random.next() < 0.6;
  const withHousing = !demo && random.next() < 0.5;
  const withEarlyHelp = demo !== undefined || random.next() < 0.65;
  const withCsc = !demo && random.next() < 0.5;
  const ehStart = dayIn(windowStart + Math.floor(span / 4), ref - 30);
  const cscStart = dayIn(Math.max(windowStart + Math.floor(span / 2), ehStart), ref - 10);
  const years = span / YEAR;

  // Missed health and dental appointments, in clusters.
  for (const child of story.children) {
    if (child.unborn) {
      if (random.next() < 0.5)
        story.event(child, ref - random.int(5, 60), "not-brought-health", org.midwifery);
      continue;
    }
    const dob = child.dob ?? ref;
    const clusters = Math.max(1, Math.round(years * 0.9 * severity));
    for (let c = 0; c < clusters; c += 1) {
      let day = dayIn(Math.max(windowStart, dob + 30));
      const count = random.int(2, 4);
      for (let k = 0; k < count && day <= ref; k += 1) {
        const age = (day - dob) / YEAR;
        const dental = age >= 2 && random.next() < 0.4;
        const agency = dental
          ? age >= 5
            ? org.schoolNursing
            : org.healthVisiting
          : age < 5
            ? org.healthVisiting
            : gp;
        if (agency === org.schoolNursing) story.involve(child, agency, day - random.int(30, 200), null);
        story.event(child, day, dental ? "not-brought-dental" : "not-brought-health", agency, {
          n: random.pick([9, 12, 24, 27]),
        });
        day += random.int(12, 60);
      }
    }
    if ((ref - dob) / YEAR < 5 && random.next() < 0.5) {
      story.event(child, dayIn(Math.max(windowStart, dob + 20)), "home-visit-not-seen", org.healthVisiting);
    }
    if (random.next() < 0.3 * severity) {
      const day = dayIn(Math.max(windowStart, dob + 100));
      story.involve(child, org.emergency, day, day + 1);
      story.event(child, day, "ae-attendance", org.emergency);
    }
  }

  // Falling school attendance, term by term over the last two years or so: absences, then persistent absence.
  for (const child of born) {
    if (!child.school) continue;
    const dob = child.dob ?? ref;
    const from = Math.max(windowStart, schoolStartDay(dob), ref - random.int(500, 800));
    let pct = random.int(91, 95);
    for (let term = from + random.int(20, 60); term <= ref; term += random.int(110, 130)) {
      pct = Math.max(55, pct - random.int(0, Math.round(3 * severity) + 1));
      if (pct < 93 && random.next() < 0.8) {
        story.event(child, term, pct >= 90 ? "school-absence" : "persistent-absence", child.school, { pct });
      }
      if (random.next() < 0.2 * severity) {
        story.event(child, term + random.int(3, 40), "hunger-or-poor-hygiene", child.school);
      }
    }
  }

  // Repeated police call-outs and domestic abuse, recorded for each child at home.
  if (withDa) {
    const abuser = random.pick(family.maleAdults);
    const from = Math.max(windowStart, abuser.from);
    const to = abuser.to ?? ref;
    const incidents = Math.max(2, Math.round(random.int(2, 6) * severity));
    const days =
      to > from ? Array.from({ length: incidents }, () => dayIn(from, to)).sort((a, b) => a - b) : [];
    for (const day of days) {
      const type: EventType = random.next() < 0.55 ? "domestic-abuse" : "police-call-out";
      for (const child of born) {
        if ((child.dob ?? ref) > day) continue;
        story.involve(child, org.police, day, null, { basis: "exception", consent: "not-sought" });
        story.event(child, day, type, org.police, { adult: abuser });
      }
    }
  }

  // Housing trouble and what visitors see at home.
  if (withHousing) {
    const day = dayIn();
    for (const child of born) {
      if ((child.dob ?? ref) > day) continue;
      story.involve(child, org.housing, day, random.next() < 0.5 ? null : day + random.int(90, 500));
      story.event(child, day, "housing-concern", org.housing, { n: random.int(4, 16) });
      if (random.next() < 0.5)
        story.event(child, dayIn(day), "housing-concern", org.housing, { n: random.int(6, 20) });
    }
    const move = family.moves[1];
    if (move !== undefined && move > windowStart && random.next() < 0.5) {
      for (const child of born)
        if ((child.dob ?? ref) < move) story.event(child, move - random.int(1, 20), "eviction", org.housing);
    }
  }

  // Early help, then social care for some; home visits, conditions, the child's own voice, some progress.
  const visitors: { agency: AgencyRef; from: number }[] = [];
  if (withEarlyHelp) visitors.push({ agency: org.earlyHelp, from: ehStart });
  if (withCsc) visitors.push({ agency: org.csc, from: cscStart });
  for (const child of born) {
    const dob = child.dob ?? ref;
    for (const { agency, from } of visitors) {
      if (dob > from) continue;
      const cscRefusal = agency === org.csc && random.next() < 0.3;
      story.involve(child, agency, from, agency === org.earlyHelp && withCsc ? cscStart : null, {
        ...(cscRefusal ? { basis: "exception" as const, consent: "refused" as const } : {}),
      });
      if (agency === org.csc) {
        const referrer = child.school ?? org.healthVisiting;
        story.event(child, from, "referral", story.hasInvolvement(child, referrer) ? referrer : org.csc);
      }
      const end = agency === org.earlyHelp && withCsc ? cscStart : ref;
      const visits = Math.max(1, Math.round(((end - from) / 30) * 0.6));
      for (let v = 0; v < Math.min(visits, 14); v += 1) {
        const day = dayIn(from, end);
        const age = (day - dob) / YEAR;
        const roll = random.next();
        const type: EventType =
          roll < 0.2
            ? "home-conditions"
            : roll < 0.35
              ? "home-visit-not-seen"
              : roll < 0.55 && age >= 5
                ? "home-visit-seen-alone"
                : "home-visit-seen";
        story.event(child, day, type, agency);
      }
      if (random.next() < 0.6) {
        story.event(child, dayIn(Math.min(ref, from + 60)), "positive-change", agency, {
          pct: random.int(91, 97),
        });
      }
      if (random.next() < 0.25) {
        story.event(
          child,
          dayIn(from),
          random.next() < 0.5 ? "parental-mental-health" : "parental-substance-misuse",
          agency,
        );
      }
    }
    if (visitors.length === 0 && (ref - dob) / YEAR < 5) {
      story.event(child, dayIn(Math.max(windowStart, dob + 20)), "home-conditions", org.healthVisiting);
    }
  }

  // Changes of who lives at home, noticed by whoever is involved at the time.
  for (const adult of [family.partner, family.otherAdult]) {
    if (!adult) continue;
    for (const [day, joining] of [
      [adult.from, true],
      [adult.to, false],
    ] as const) {
      if (day === null || day < windowStart || day > ref) continue;
      for (const child of born) {
        if ((child.dob ?? ref) > day) continue;
        const agency =
          visitors.find((v) => v.from <= day)?.agency ??
          (child.school && joining ? child.school : org.healthVisiting);
        if (!story.hasInvolvement(child, agency)) continue;
        story.event(child, day + random.int(0, 20), "household-change", agency, { adult });
      }
    }
  }
  story.markLeadAgencies();
};
