// SPDX-License-Identifier: MIT
/** One generated family's involvements and chronology: what every child has, and an ordinary childhood. */
import { EVENT_TYPES, type EventType, type InformationBasis } from "../chronology/codes.ts";
import type { Role } from "../organisation/codes.ts";
import type { ConsentState, SharingBasis } from "../people/codes.ts";
import {
  type AgencyRef,
  type DemoFamilyPlan,
  type FamilyOrganisation,
  type FamilyRows,
  type Involvement,
  isoOf,
  type Person,
  schoolStartDay,
  stampOf,
  YEAR,
} from "./family-model.ts";
import { EVENT_TEXT, SAFEGUARDING_REASONS } from "./family-vocabulary.ts";
import type { Random } from "./random.ts";

const INFORMATION_BASIS: Partial<Record<EventType, InformationBasis>> = {
  "police-call-out": "reported",
  "domestic-abuse": "reported",
  "parental-mental-health": "reported",
  "parental-substance-misuse": "reported",
  "housing-concern": "reported",
  referral: "opinion",
  "positive-change": "observed",
};

/** One family's involvements and chronology, with the agencies involved at the time. */
export class FamilyStory {
  readonly #involvements = new Map<string, Map<AgencyRef, Involvement>>();

  readonly org: FamilyOrganisation;
  readonly rows: FamilyRows;
  readonly random: Random;
  readonly pid: string;
  readonly ref: number;
  readonly children: Person[];
  readonly adults: Person[];

  constructor(
    org: FamilyOrganisation,
    rows: FamilyRows,
    random: Random,
    pid: string,
    ref: number,
    children: Person[],
    adults: Person[],
  ) {
    this.org = org;
    this.rows = rows;
    this.random = random;
    this.pid = pid;
    this.ref = ref;
    this.children = children;
    this.adults = adults;
  }

  /** Opens (or finds) an involvement of an agency with a child. */
  involve(
    child: Person,
    agency: AgencyRef,
    started: number,
    ended: number | null,
    options: { lead?: string; basis?: "consent" | "exception"; consent?: ConsentState } = {},
  ): Involvement {
    const random = this.random;
    let byAgency = this.#involvements.get(child.id);
    if (!byAgency) {
      byAgency = new Map();
      this.#involvements.set(child.id, byAgency);
    }
    const existing = byAgency.get(agency);
    if (existing) return existing;
    const lead = options.lead ?? random.pick(agency.practitioners);
    const startDay = Math.min(started, this.ref);
    const endDay = ended !== null && ended >= this.ref ? null : ended;
    const involvement: Involvement = { agency, lead, started: startDay, ended: endDay };
    byAgency.set(agency, involvement);
    let sharing: SharingBasis = "consent";
    let consent: ConsentState = options.consent ?? "given";
    let reasoning: string | null = null;
    const roll = random.next();
    if (options.basis === "exception" || (options.basis === undefined && roll < 0.06)) {
      sharing = "safeguarding-exception";
      consent = options.consent ?? (random.next() < 0.5 ? "refused" : "not-sought");
      reasoning = random.pick(
        consent === "refused" ? SAFEGUARDING_REASONS.refused : SAFEGUARDING_REASONS["not-sought"],
      );
    }
    this.rows.involvements.push({
      partnership_id: this.pid,
      involvement_id: random.uuid(),
      person_id: child.id,
      agency_id: agency.agencyId,
      started_on: isoOf(startDay),
      ended_on: endDay === null ? null : isoOf(Math.max(endDay, startDay)),
      lead_professional_user_id: lead,
      is_lead_agency: false,
      sharing_basis: sharing,
      consent,
      sharing_reasoning: reasoning,
      created_by: lead,
      created_at: stampOf(startDay, 9),
    });
    return involvement;
  }

  /** Marks each child's lead agency: social care, then early help, then health visiting or school. */
  markLeadAgencies() {
    const order = [this.org.csc, this.org.earlyHelp, this.org.healthVisiting];
    for (const child of this.children) {
      const byAgency = this.#involvements.get(child.id);
      if (!byAgency) continue;
      const open = [...byAgency.values()].filter((i) => i.ended === null);
      const lead =
        order.map((agency) => open.find((i) => i.agency === agency)).find((i) => i !== undefined) ??
        open.find((i) => i.agency === child.school) ??
        open[0];
      if (!lead) continue;
      for (let k = this.rows.involvements.length - 1; k >= 0; k -= 1) {
        const row = this.rows.involvements[k];
        if (
          row &&
          row.person_id === child.id &&
          row.agency_id === lead.agency.agencyId &&
          row.ended_on === null
        ) {
          row.is_lead_agency = true;
          break;
        }
      }
    }
  }

  event(
    child: Person,
    day: number,
    type: EventType,
    agency: AgencyRef,
    options: { recorder?: string; adult?: Person | null; pct?: number; n?: number } = {},
  ) {
    const random = this.random;
    if (day > this.ref || (child.dob !== null && day < child.dob)) return;
    const involvement = this.#involvements.get(child.id)?.get(agency);
    const recorder =
      options.recorder ??
      (involvement && random.next() < 0.7 ? involvement.lead : random.pick(agency.practitioners));
    const text = EVENT_TEXT[type];
    const adult = options.adult ?? this.adults.find((a) => a.sex === "M") ?? this.adults[0];
    const fill = (template: string) =>
      template
        .replaceAll("{child}", child.given.split(" ")[0] ?? child.given)
        .replaceAll("{adult}", adult ? (adult.given.split(" ")[0] ?? adult.given) : "an adult")
        .replaceAll("{pct}", String(options.pct ?? random.int(80, 89)))
        .replaceAll("{n}", String(options.n ?? random.int(2, 8)));
    const definition = EVENT_TYPES[type];
    const restricted =
      (type === "domestic-abuse" && random.next() < 0.25) ||
      (type === "parental-mental-health" && random.next() < 0.5);
    const roles: Role[] = restricted
      ? type === "domestic-abuse"
        ? ["safeguarding-lead", "front-door"]
        : ["safeguarding-lead"]
      : [];
    this.rows.chronology_events.push({
      partnership_id: this.pid,
      event_id: random.uuid(),
      person_id: child.id,
      occurred_on: isoOf(day),
      date_precision: random.next() < 0.03 ? "month" : "day",
      event_type: type,
      source_agency_id: agency.agencyId,
      recorded_by: recorder,
      recorded_at: stampOf(Math.min(this.ref, day + random.int(0, 3)), random.int(9, 17)),
      what_happened: fill(text ? random.pick(text.what) : definition.label),
      impact_on_child: fill(
        text ? random.pick(text.impact) : `${definition.label}: the impact on {child} is being assessed.`,
      ),
      action_taken: text ? fill(random.pick(text.action)) : null,
      significance: definition.significance,
      neglect_types: [...definition.neglectTypes],
      information_basis: INFORMATION_BASIS[type] ?? "observed",
      visibility: restricted ? "restricted" : "normal",
      restricted_to_roles: roles,
    });
  }

  /** What every child has: birth, GP, health visiting while under five, school from reception. */
  universal(child: Person, gp: AgencyRef, demo: DemoFamilyPlan | undefined) {
    const { org, random, ref } = this;
    if (child.unborn) {
      this.involve(child, org.midwifery, child.from - random.int(180, 230), null);
      return;
    }
    const dob = child.dob ?? ref;
    const ageDays = ref - dob;
    this.involve(child, org.midwifery, dob - random.int(150, 230), dob + random.int(10, 28));
    this.event(child, dob, "birth", org.midwifery, { n: random.int(36, 41) });
    this.involve(child, gp, dob + random.int(5, 40), null);
    const isDemoBaby = demo && ageDays < YEAR;
    this.involve(child, org.healthVisiting, dob + random.int(10, 14), dob + Math.floor(5 * YEAR), {
      ...(isDemoBaby ? { lead: demo.healthVisitorUserId } : {}),
    });
    // New birth visit, and the one-year review for those old enough; recent years only.
    if (ageDays < 8 * YEAR) {
      this.event(child, dob + random.int(10, 14), "home-visit-seen", org.healthVisiting);
      if (ageDays > YEAR)
        this.event(child, dob + random.int(360, 400), "home-visit-seen", org.healthVisiting);
    }
    if (child.school) {
      const isDemoSibling = demo !== undefined && child.school === org.schools[0] && ageDays > 4 * YEAR;
      this.involve(child, child.school, Math.max(schoolStartDay(dob), dob + Math.floor(4 * YEAR)), null, {
        ...(isDemoSibling ? { lead: demo.schoolUserId } : {}),
      });
    }
  }

  /** A family without neglect: the ordinary run of a childhood, with the odd concern. */
  ordinary() {
    const { org, random, ref } = this;
    const earlyHelp = random.next() < 0.1;
    const ehStart = ref - random.int(60, 1400);
    const ehEnd = random.next() < 0.6 ? ehStart + random.int(120, 400) : null;
    for (const child of this.children) {
      if (child.unborn) continue;
      const dob = child.dob ?? ref;
      const ageDays = ref - dob;
      if (ageDays < 5 * YEAR && random.next() < 0.06) {
        this.event(
          child,
          ref - random.int(10, Math.max(11, Math.min(ageDays, 1500))),
          "not-brought-health",
          org.healthVisiting,
        );
      }
      if (random.next() < 0.05) {
        const day = ref - random.int(1, Math.max(2, Math.min(ageDays, 2500)));
        this.involve(child, org.emergency, day, day + 1);
        this.event(child, day, "ae-attendance", org.emergency);
      }
      if (child.school && random.next() < 0.1) {
        this.event(child, ref - random.int(14, 400), "school-absence", child.school, {
          pct: random.int(86, 92),
        });
      }
      if (earlyHelp && ehStart > dob) {
        this.involve(child, org.earlyHelp, ehStart, ehEnd);
        this.event(child, ehStart + random.int(7, 30), "home-visit-seen", org.earlyHelp);
        if (ehEnd !== null)
          this.event(child, ehEnd - random.int(0, 20), "positive-change", org.earlyHelp, {
            pct: random.int(93, 98),
          });
      }
    }
    if (random.next() < 0.04) {
      const day = ref - random.int(30, 900);
      for (const child of this.children) {
        if (child.unborn || (child.dob ?? ref) > day) continue;
        this.involve(child, org.housing, day, day + random.int(60, 300));
        this.event(child, day, "housing-concern", org.housing);
      }
    }
    this.markLeadAgencies();
  }

  hasInvolvement(child: Person, agency: AgencyRef): boolean {
    return this.#involvements.get(child.id)?.has(agency) ?? false;
  }

  /** The demo family's named entries: a "not brought" for the baby, a school attendance entry for the sibling. */
  demo(plan: DemoFamilyPlan) {
    const { org, random, ref } = this;
    const baby = this.children[this.children.length - 1];
    const sibling = this.children[0];
    if (!baby || !sibling?.school) return;
    this.event(baby, ref - 21, "not-brought-health", org.healthVisiting, {
      recorder: plan.healthVisitorUserId,
      n: 3,
    });
    this.event(sibling, ref - 14, "school-absence", sibling.school, {
      recorder: plan.schoolUserId,
      pct: random.int(84, 88),
    });
  }
}
