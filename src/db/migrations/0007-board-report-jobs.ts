// SPDX-License-Identifier: MIT
/**
 * Board reports being made, held in the database rather than in one app process's memory, so the
 * progress page and the downloads answer from whichever process a load balancer sends the request to.
 * A report belongs to whoever asked for it; its files are kept for a day. A job whose process stopped
 * (no progress for ten minutes) is shown as stopped, to be made again.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create table board_report_jobs (
  partnership_id uuid not null references partnerships,
  job_id uuid not null,
  requested_by uuid not null,
  quarter text not null check (quarter ~ '^[0-9]{4}-Q[1-4]$'),
  steps_done text[] not null default '{}' check (steps_done <@ array['figures', 'charts', 'pdf', 'xlsx']),
  error text check (length(error) <= 2000),
  pdf bytea,
  xlsx bytea,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (partnership_id, job_id),
  foreign key (partnership_id, requested_by) references users
);
create index board_report_jobs_by_age on board_report_jobs (partnership_id, created_at);

grant select, insert, update, delete on board_report_jobs to hearth_app;
alter table board_report_jobs enable row level security;
create policy partnership_isolation on board_report_jobs
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());
`,
  );
};
