// SPDX-License-Identifier: MIT
/**
 * Stored dashboard figures. Computing every indicator over every period from a 100,000-child
 * partnership's records takes tens of seconds, so the dashboard keeps the figures it last computed, with
 * the version of the records they were computed from, and recomputes in the background when the records
 * have changed since (one process at a time, by a lease held in the row, so app processes stay stateless).
 *
 * The records' version is the audit chain: every change is audited in its own transaction, so the
 * sequence number of the partnership's latest audited change (`last_change_seq`, kept on the chain head
 * that every audited transaction already locks) moves whenever anything the figures are computed from
 * could have changed. Views, searches and exports are not changes and leave it alone.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
alter table audit_chain_heads add column last_change_seq bigint not null default 0;
update audit_chain_heads set last_change_seq = last_seq;

create table indicator_snapshots (
  partnership_id uuid not null references partnerships,
  -- 'partnership', or 'agency:<agency id>' for a manager's agency's figures.
  scope_key text not null check (scope_key ~ '^(partnership|agency:[0-9a-f-]{36})$'),
  -- The last day of the last complete quarter the figures report up to.
  as_of date not null,
  -- What the figures were computed from: the latest audited change, the benchmark import (for the
  -- population behind rates), the authority codes and the indicator definitions' own version.
  source_version text not null,
  computed_at timestamptz not null,
  computed_in_ms integer not null check (computed_in_ms >= 0),
  children integer not null check (children >= 0),
  figures jsonb not null,
  -- A background recomputation in progress holds the row until then; an expired lease may be taken over.
  refresh_claimed_until timestamptz,
  primary key (partnership_id, scope_key, as_of)
);

grant select, insert, update on indicator_snapshots to hearth_app;
alter table indicator_snapshots enable row level security;
create policy partnership_isolation on indicator_snapshots
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());
`,
  );
};
