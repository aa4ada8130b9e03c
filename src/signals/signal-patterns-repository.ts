// SPDX-License-Identifier: MIT
/**
 * Signals in aggregate: "what is already known" about a family as patterns of repeated concerns with the
 * signals fired for its children, and each rule's measured precision with its breakdowns (small cells
 * suppressed). Every view is audited in the same transaction.
 */
import { sql } from "kysely";
import { EVENT_TYPES, type EventType } from "../chronology/codes.ts";
import { AreaRepository } from "../data/area-repository.ts";
import { childVisibleTo, eventVisibleTo } from "../data/child-access.ts";
import type { MethodAccess } from "../data/repository-scope.ts";
import { addMonths, todayInEngland } from "../kernel/calendar.ts";
import { can } from "../kernel/policy.ts";
import { currentPartnership } from "../kernel/sql.ts";
import { DISABILITY_CODES, ETHNICITY_CODES, SEX_CODES } from "../people/codes.ts";
import {
  CONFIRMING_DECISIONS,
  SIGNAL_DECISION_CODES,
  SIGNAL_DECISIONS,
  type SignalDecision,
} from "./codes.ts";
import { signalRule, signalRules } from "./rules.ts";
import { shownSignalsWithChild } from "./signal-access.ts";
import type { FamilyPatterns, PatternRow, PrecisionCell, RulePrecision } from "./signal-types.ts";

/** Cells of the precision breakdowns under this are shown as "fewer than 5". */
export const SUPPRESS_UNDER = 5;

const cell = (value: number): PrecisionCell => ({
  value,
  shown: value < SUPPRESS_UNDER ? "fewer than 5" : value.toLocaleString("en-GB"),
});

/** The "under 1", "1 to 4" ... bands of the DfE's children in need statistics; unborn apart. */
export const ageBandAt = (dateOfBirth: string | null, expected: string | null, on: string): string => {
  if (!dateOfBirth) return expected ? "Unborn" : "Not known";
  if (dateOfBirth > on) return "Unborn";
  const years =
    Number(on.slice(0, 4)) - Number(dateOfBirth.slice(0, 4)) - (on.slice(5) < dateOfBirth.slice(5) ? 1 : 0);
  if (years < 1) return "Under 1";
  if (years < 5) return "1 to 4";
  if (years < 10) return "5 to 9";
  if (years < 16) return "10 to 15";
  return "16 and over";
};

/** Family patterns and rules' precision. */
export class SignalPatternsRepository extends AreaRepository {
  /** Every public method, classified. A test fails if one is left undeclared. */
  static readonly methodAccess: Record<keyof SignalPatternsRepository, MethodAccess> = {
    familyPatterns: "guarded",
    precision: "guarded",
  };

  /**
   * "What is already known": repeated concerns by type and agency over the last two years, across the
   * family members whose records the caller may open (entries they may see), and the signals fired for
   * the children among them, with their outcomes.
   * @returns undefined if the caller may not open the child's record.
   */
  familyPatterns(personId: string): Promise<FamilyPatterns | undefined> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      if (!(await this.scope.canOpenRecord(trx, personId))) return undefined;
      const today = todayInEngland();
      const from = addMonths(`${today.slice(0, 8)}01`, -21);
      const quarterOf = (iso: string) =>
        `${iso.slice(0, 4)} Q${Math.floor((Number(iso.slice(5, 7)) - 1) / 3) + 1}`;
      const quarters: string[] = [];
      for (let d = from; d <= today; d = addMonths(d, 3)) quarters.push(quarterOf(d));
      if (!quarters.includes(quarterOf(today))) quarters.push(quarterOf(today));
      const members = await sql<{ person_id: string; visible: boolean; kind: string; merged: boolean }>`
        with recursive cluster as (select person_id from hearth_person_cluster(${personId}::uuid)),
        family as (
          select person_id from cluster
          union
          select mc.person_id from household_members fa
            join household_members fb on fb.partnership_id = fa.partnership_id and fb.household_id = fa.household_id
              and fb.valid_from <= coalesce(fa.valid_to, 'infinity'::date)
              and fa.valid_from <= coalesce(fb.valid_to, 'infinity'::date)
            cross join lateral hearth_person_cluster(fb.person_id) mc
            where fa.partnership_id = ${currentPartnership} and fa.person_id in (select person_id from cluster)
          union
          select mc.person_id from relationships fr cross join lateral hearth_person_cluster(fr.related_person_id) mc
            where fr.partnership_id = ${currentPartnership} and fr.person_id in (select person_id from cluster)
          union
          select mc.person_id from relationships fr cross join lateral hearth_person_cluster(fr.person_id) mc
            where fr.partnership_id = ${currentPartnership} and fr.related_person_id in (select person_id from cluster)
        )
        select p.person_id, p.kind, p.merged_into_person_id is not null as merged,
          (p.person_id in (select person_id from cluster) or ${childVisibleTo(ctx, sql.ref("p.person_id"))}) as visible
        from people p where p.partnership_id = ${currentPartnership}
          -- An array, so the few members are looked up by key: as a join on the set, PostgreSQL's estimate
          -- of it (600 rows) made it hash every person in the partnership (12 ms at 10,000 children).
          and p.person_id = any(array(select person_id from family))`.execute(trx);
      const shown = members.rows.filter((m) => m.visible).map((m) => m.person_id);
      const hiddenMembers = members.rows.some((m) => !m.visible && !m.merged);
      const ids = sql.join(shown.map((id) => sql`${id}::uuid`));
      const entries = (
        await sql<{ event_type: string; agency_name: string; person_id: string; occurred_on: string }>`
          select e.event_type, a.name as agency_name, e.person_id, to_char(e.occurred_on, 'YYYY-MM-DD') as occurred_on
          from chronology_events e
          join agencies a on a.partnership_id = e.partnership_id and a.agency_id = e.source_agency_id
          where e.partnership_id = ${currentPartnership} and e.person_id in (${ids})
            and e.occurred_on >= ${from}::date and e.event_type <> 'signal-decision'
            and ${eventVisibleTo(ctx, {
              visibility: sql.ref("e.visibility"),
              restrictedToRoles: sql.ref("e.restricted_to_roles"),
              sourceAgencyId: sql.ref("e.source_agency_id"),
            })}
            and not exists (select 1 from chronology_events s
              where s.partnership_id = e.partnership_id and s.supersedes_event_id = e.event_id)
            and not exists (select 1 from chronology_retractions r
              where r.partnership_id = e.partnership_id and r.event_id = e.event_id)`.execute(trx)
      ).rows;
      const groups = new Map<string, PatternRow & { persons: Set<string> }>();
      for (const e of entries) {
        const definition = EVENT_TYPES[e.event_type as EventType];
        if (!definition || ("positive" in definition && definition.positive)) continue;
        const key = `${e.event_type}\u0000${e.agency_name}`;
        const row = groups.get(key) ?? {
          eventType: e.event_type,
          typeLabel: definition.label,
          agencyName: e.agency_name,
          people: 0,
          total: 0,
          first: e.occurred_on,
          last: e.occurred_on,
          byQuarter: quarters.map(() => 0),
          persons: new Set<string>(),
        };
        row.total += 1;
        row.persons.add(e.person_id);
        if (e.occurred_on < row.first) row.first = e.occurred_on;
        if (e.occurred_on > row.last) row.last = e.occurred_on;
        const q = quarters.indexOf(quarterOf(e.occurred_on));
        if (q >= 0) row.byQuarter[q] = (row.byQuarter[q] ?? 0) + 1;
        groups.set(key, row);
      }
      // A pattern is a concern recorded more than once: single entries are in the chronology.
      const rows = [...groups.values()]
        .filter((r) => r.total >= 2)
        .map(({ persons, ...r }) => ({ ...r, people: persons.size }))
        .sort((a, b) => b.total - a.total || a.typeLabel.localeCompare(b.typeLabel));
      const signalRows = await shownSignalsWithChild(trx, ctx)
        .select(
          sql<SignalDecision | null>`(select d.decision from signal_decisions d
            where d.partnership_id = s.partnership_id and d.signal_id = s.signal_id
            order by d.decided_at desc limit 1)`.as("decision"),
        )
        .where("s.person_id", "in", shown.length ? shown : [personId])
        .orderBy("s.fired_at", "desc")
        .execute();
      await this.scope.audit(trx, {
        action: "view",
        recordType: "person",
        recordId: personId,
        details: { page: "history-patterns", family_members: shown.length },
      });
      return {
        quarters,
        rows,
        hiddenMembers,
        signals: signalRows.map((s) => ({
          signalId: s.signal_id,
          personId: s.person_id,
          childName: `${s.given_names} ${s.family_name}`,
          ruleTitle: signalRule(s.rule_id)?.title ?? s.rule_id,
          firedAt: s.fired_at,
          decision: s.decision ? SIGNAL_DECISIONS[s.decision] : null,
        })),
      };
    });
  }

  /**
   * Each rule's measured precision: signals fired, decided, confirmed as needing action (any decision but
   * "no action"), and followed within six months of firing by a request for support, early help or a
   * child in need or child protection plan for the child; by ethnicity, sex, age band, disability and
   * area, with cells under 5 shown as "fewer than 5". Analysts, safeguarding leads and managers.
   */
  precision(): Promise<RulePrecision[] | undefined> {
    const ctx = this.ctx;
    if (!ctx || !can(ctx.role, "indicators.read")) return Promise.resolve(undefined);
    return this.scope.run(async (trx) => {
      const rows = (
        await sql<{
          signal_id: string;
          rule_id: string;
          fired_on: string;
          decision: SignalDecision | null;
          led: boolean;
          sex: string;
          ethnicity: string | null;
          disabilities: string[];
          date_of_birth: string | null;
          expected_date_of_birth: string | null;
          ward: string | null;
        }>`
          select s.signal_id, s.rule_id, to_char(s.fired_at at time zone 'Europe/London', 'YYYY-MM-DD') as fired_on,
            (select d.decision from signal_decisions d where d.partnership_id = s.partnership_id
              and d.signal_id = s.signal_id order by d.decided_at desc limit 1) as decision,
            (exists (select 1 from support_requests r where r.partnership_id = s.partnership_id
                and r.person_id in (select person_id from hearth_person_cluster(s.person_id))
                and r.received_at >= s.fired_at and r.received_at < s.fired_at + interval '6 months')
              or exists (select 1 from early_help h where h.partnership_id = s.partnership_id
                and h.person_id in (select person_id from hearth_person_cluster(s.person_id))
                and h.created_at >= s.fired_at and h.created_at < s.fired_at + interval '6 months')
              or exists (select 1 from csc_events c where c.partnership_id = s.partnership_id
                and c.person_id in (select person_id from hearth_person_cluster(s.person_id))
                and c.event_type in ('cp-plan-start', 'cin-plan-start')
                and c.recorded_at >= s.fired_at and c.recorded_at < s.fired_at + interval '6 months')
              or exists (select 1 from plans pl where pl.partnership_id = s.partnership_id
                and pl.person_id in (select person_id from hearth_person_cluster(s.person_id))
                and pl.created_at >= s.fired_at and pl.created_at < s.fired_at + interval '6 months')) as led,
            p.sex, p.ethnicity, p.disabilities, to_char(p.date_of_birth, 'YYYY-MM-DD') as date_of_birth,
            to_char(p.expected_date_of_birth, 'YYYY-MM-DD') as expected_date_of_birth,
            (select h.ward from household_members m join households h
                on h.partnership_id = m.partnership_id and h.household_id = m.household_id
              where m.partnership_id = s.partnership_id and m.person_id = s.person_id
                and m.valid_from <= s.fired_at::date and (m.valid_to is null or m.valid_to >= s.fired_at::date)
              order by m.valid_from desc limit 1) as ward
          from signals s
          join people p on p.partnership_id = s.partnership_id and p.person_id = s.person_id
          where s.partnership_id = ${currentPartnership}`.execute(trx)
      ).rows;
      await this.scope.audit(trx, {
        action: "view",
        recordType: "indicator",
        recordId: "signal-precision",
        details: { signals: rows.length },
      });
      const confirmedOf = (r: (typeof rows)[number]) =>
        r.decision !== null && CONFIRMING_DECISIONS.includes(r.decision);
      const dimensions: { name: string; of: (r: (typeof rows)[number]) => string }[] = [
        {
          name: "Ethnicity",
          of: (r) =>
            r.ethnicity
              ? (ETHNICITY_CODES[r.ethnicity as keyof typeof ETHNICITY_CODES] ?? r.ethnicity)
              : "Not recorded",
        },
        { name: "Sex", of: (r) => SEX_CODES[r.sex as keyof typeof SEX_CODES] ?? r.sex },
        {
          name: "Age band when the signal fired",
          of: (r) => ageBandAt(r.date_of_birth, r.expected_date_of_birth, r.fired_on),
        },
        {
          name: "Disability",
          of: (r) => {
            const real = r.disabilities.filter((d) => d !== "NONE");
            return real.length === 0
              ? "No disability recorded"
              : real.length === 1
                ? (DISABILITY_CODES[real[0] as keyof typeof DISABILITY_CODES] ?? String(real[0]))
                : "More than one disability";
          },
        },
        { name: "Area (ward)", of: (r) => r.ward ?? "Not known" },
      ];
      return signalRules().map((rule) => {
        const mine = rows.filter((r) => r.rule_id === rule.id);
        return {
          ruleId: rule.id,
          title: rule.title,
          fired: mine.length,
          decided: mine.filter((r) => r.decision !== null).length,
          byDecision: SIGNAL_DECISION_CODES.map((code) => ({
            code,
            label: SIGNAL_DECISIONS[code],
            count: mine.filter((r) => r.decision === code).length,
          })),
          confirmed: mine.filter(confirmedOf).length,
          ledToSupport: mine.filter((r) => r.led).length,
          breakdowns: dimensions.map((dimension) => {
            const groups = [...new Set(mine.map(dimension.of))].sort();
            return {
              name: dimension.name,
              groups: groups.map((group) => {
                const inGroup = mine.filter((r) => dimension.of(r) === group);
                return {
                  group,
                  fired: cell(inGroup.length),
                  confirmed: cell(inGroup.filter(confirmedOf).length),
                  ledToSupport: cell(inGroup.filter((r) => r.led).length),
                };
              }),
            };
          }),
        };
      });
    });
  }
}
