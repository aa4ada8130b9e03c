// SPDX-License-Identifier: MIT
/**
 * The caller's drift and oversight alerts (the rules are in ../alerts.ts): a practitioner's own cases, a
 * manager's team's, the front door's overdue decisions, and everything for safeguarding leads. Only
 * children the caller may see, and none whose record is archived.
 */

import { sql } from "kysely";
import { AreaRepository } from "../../data/area-repository.ts";
import { childVisibleTo, notArchived } from "../../data/child-access.ts";
import type { MethodAccess } from "../../data/repository-scope.ts";
import { addMonths, type IsoDate } from "../../kernel/calendar.ts";
import { can } from "../../kernel/policy.ts";
import { currentPartnership, inCurrentPartnership } from "../../kernel/sql.ts";
import type { Role } from "../../organisation/codes.ts";
import { readPathwaySettings } from "../../settings/pathway-settings.ts";
import { type Alert, alertsFor } from "../alerts.ts";
import { childrenWithEpisodeWorkSql, inEpisodeWithWork } from "../csc-event-store.ts";
import { displayNames, p, today } from "../pathway-records.ts";
import { loadChildFacts, voiceRecorded } from "./child-facts.ts";

/**
 * SQL: the ids of the children whose alerts the caller sees, before access: an owner's (a practitioner's,
 * or a manager's team's) come from an episode she works with work still in it, early help she leads, or a
 * difference she raised (her closed episodes raise none of hers); the front door's from requests awaiting
 * a decision; a safeguarding lead's from every source a rule reads: an episode with work in it, for a
 * child social care has known recent "not brought" events or an assessment without the child's voice, and
 * open early help, requests and differences. Not every child social care ever knew (2,000 of 10,000).
 */
const alertCandidates = (role: Role, owners: string[] | null, now: IsoDate, notBroughtSince: IsoDate) => {
  if (owners)
    return sql`select e.person_id from csc_events e where e.partnership_id = ${currentPartnership}
        and e.worker_user_id in (${sql.join(owners)}) and ${inEpisodeWithWork(now)}
      union select h.person_id from early_help h where h.partnership_id = ${currentPartnership}
        and h.ended_on is null and h.lead_user_id in (${sql.join(owners)})
      union select x.person_id from escalations x where x.partnership_id = ${currentPartnership}
        and x.resolved_on is null and x.raised_by in (${sql.join(owners)})`;
  if (role === "front-door")
    return sql`select r.person_id from support_requests r where r.partnership_id = ${currentPartnership}
      and r.outcome is null`;
  return sql`${childrenWithEpisodeWorkSql(now)}
    union select n.person_id from chronology_events n where n.partnership_id = ${currentPartnership}
      and n.event_type in ('not-brought-health', 'not-brought-dental') and n.occurred_on > ${notBroughtSince}::date
      and exists (select 1 from csc_events k where k.partnership_id = n.partnership_id and k.person_id = n.person_id)
    union select a.person_id from assessments a where a.partnership_id = ${currentPartnership}
      and a.status in ('submitted', 'signed-off') and not ${voiceRecorded("a.child_voice")}
      and exists (select 1 from csc_events k where k.partnership_id = a.partnership_id and k.person_id = a.person_id)
    union select h.person_id from early_help h where h.partnership_id = ${currentPartnership}
      and h.ended_on is null
    union select r.person_id from support_requests r where r.partnership_id = ${currentPartnership}
      and r.outcome is null
    union select x.person_id from escalations x where x.partnership_id = ${currentPartnership}
      and x.resolved_on is null`;
};

export class AlertsRepository extends AreaRepository {
  static readonly methodAccess: Record<keyof AlertsRepository, MethodAccess> = {
    myAlerts: "guarded",
  };

  /**
   * The caller's drift and oversight alerts: a practitioner's own cases, a manager's team's, the front
   * door's overdue decisions, and everything for safeguarding leads. Only children the caller may see.
   */
  myAlerts(): Promise<(Alert & { childName: string; ownerName: string | null })[]> {
    const ctx = this.ctx;
    if (!ctx) return Promise.resolve([]);
    const role = ctx.role;
    if (!can(role, "alerts.read")) return Promise.resolve([]);
    return this.scope.run(async (trx) => {
      const now = today();
      const { timescales } = await readPathwaySettings(trx);
      const notBroughtSince = addMonths(now, -timescales.notBroughtMonths);
      let owners: string[] | null = null;
      // Names of the owners already read: a manager's team, read with their names, owns every alert she sees.
      const ownerNames = new Map<string, string>();
      if (role === "practitioner") owners = [ctx.userId];
      if (role === "manager") {
        const team = ctx.teamId
          ? await trx
              .selectFrom("users")
              .select(["user_id", "display_name"])
              .where(inCurrentPartnership())
              .where("team_id", "=", ctx.teamId)
              .execute()
          : [];
        for (const member of team) ownerNames.set(member.user_id, member.display_name);
        owners = [ctx.userId, ...team.map((u) => u.user_id)];
      }
      const candidates = await trx
        .selectFrom("people")
        // The names too: every child with an alert is a candidate, so no second read for them.
        .select(["people.person_id", "people.given_names", "people.family_name"])
        .where(p("people.partnership_id"), "=", currentPartnership)
        .where(childVisibleTo(ctx, p("people.person_id")))
        // An archived record (closed, past retention: src/retention) raises no alerts.
        .where(notArchived(p("people.person_id")))
        // Driven from the few children some rule can raise an alert on, found from their sources' indexes,
        // not from every person in the partnership with a probe of each source (a safeguarding lead's view
        // scanned 22,000 people: 94 ms at 10,000 children, about 20 after).
        .where(
          sql<boolean>`people.person_id = any(array(${alertCandidates(role, owners, now, notBroughtSince)}))`,
        )
        .limit(5000)
        .execute();
      const ids = candidates.map((c) => c.person_id);
      const facts = await loadChildFacts(trx, ctx, ids, notBroughtSince);
      const alerts = [...facts.values()]
        .flatMap((f) => alertsFor(f, now, timescales))
        .filter((a) => {
          if (role === "front-door") return a.type === "decision-overdue";
          if (owners) return a.ownerUserId !== null && owners.includes(a.ownerUserId);
          return true;
        });
      const childNames = new Map(candidates.map((c) => [c.person_id, `${c.given_names} ${c.family_name}`]));
      const unnamed = [
        ...new Set(
          alerts.map((a) => a.ownerUserId).filter((id): id is string => id !== null && !ownerNames.has(id)),
        ),
      ];
      for (const owner of await displayNames(trx, unnamed)) ownerNames.set(owner.user_id, owner.display_name);
      await this.scope.audit(trx, {
        action: "view",
        recordType: "alerts",
        recordId: ctx.userId,
        details: { alerts: alerts.length, children: new Set(alerts.map((a) => a.personId)).size },
      });
      return alerts
        .map((a) => ({
          ...a,
          childName: childNames.get(a.personId) ?? "",
          ownerName: (a.ownerUserId === null ? undefined : ownerNames.get(a.ownerUserId)) ?? null,
        }))
        .sort((a, b) => (a.since < b.since ? -1 : 1));
    });
  }
}
