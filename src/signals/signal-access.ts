// SPDX-License-Identifier: MIT
/**
 * What the signals repositories share: the rule that a caller is shown a signal only if they may see at
 * least one entry that fired it, and reading the signals shown with their child. None of it is reachable
 * from `request.repo` on its own.
 */
import { sql } from "kysely";
import type { AccessContext } from "../data/access-context.ts";
import { childVisibleTo, eventVisibleTo } from "../data/child-access.ts";
import type { Trx } from "../data/repository-scope.ts";
import { currentPartnership, onKey, personCluster } from "../kernel/sql.ts";

/**
 * SQL: the caller may see at least one entry that fired signal `s` (see SignalPageRepository for the rule). A
 * signal fired only by entries the caller may not see (a sibling's they cannot open, or entries restricted
 * to other roles) is not shown to them at all: its rule would tell them what those entries are.
 */
export const seesAnEntryOf = (ctx: AccessContext) => sql<boolean>`exists (
  select 1 from signal_entries se
  where se.partnership_id = s.partnership_id and se.signal_id = s.signal_id
    and (se.entry_person_id in ${personCluster(sql.ref("s.person_id"))}
      or ${childVisibleTo(ctx, sql.ref("se.entry_person_id"))})
    and (se.entry_source = 'social-care' or exists (
      select 1 from chronology_events e
      where e.partnership_id = se.partnership_id and e.event_id = se.entry_id
        and ${eventVisibleTo(ctx, {
          visibility: sql.ref("e.visibility"),
          restrictedToRoles: sql.ref("e.restricted_to_roles"),
          sourceAgencyId: sql.ref("e.source_agency_id"),
        })}
        and not exists (select 1 from chronology_retractions r
          where r.partnership_id = e.partnership_id and r.event_id = e.event_id))))`;

/**
 * The signals (`signals as s`) the caller is shown, each with its child's name (`people as c`): the
 * child's record is open to them and they may see an entry that fired it. Callers add their columns
 * and conditions.
 */
export const shownSignalsWithChild = (trx: Trx, ctx: AccessContext) =>
  trx
    .selectFrom("signals as s")
    .innerJoin("people as c", (j) => onKey(j, "c.person_id", "s.person_id"))
    .select(["s.signal_id", "s.person_id", "s.rule_id", "s.fired_at", "c.given_names", "c.family_name"])
    .where("s.partnership_id", "=", currentPartnership)
    .where(childVisibleTo(ctx, sql.ref("s.person_id")))
    .where(seesAnEntryOf(ctx));
