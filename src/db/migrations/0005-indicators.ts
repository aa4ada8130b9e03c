// SPDX-License-Identifier: MIT
/**
 * Measuring success: the published DfE children-in-need statistics Hearth benchmarks against, the
 * statistical-neighbour models, and the board report's commentary.
 *
 * The benchmark tables hold national statistics published under the Open Government Licence: they belong
 * to no partnership, so they carry no `partnership_id` and no row-level security; the application role may
 * only read them (the import runs as the owner, from the CLI). A suppressed or missing cell is stored as
 * a null value with its code (`c`, `x`, `z`, `low`, `u`, or '' for an empty cell) kept beside it, never
 * as zero. Commentary is the partnership's own writing, isolated like every other partnership table.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create table benchmark_values (
  measure text not null check (measure ~ '^[a-z0-9]+\\.[A-Za-z0-9_]+$'),
  time_period integer not null check (time_period between 1990 and 2100),
  geographic_level text not null check (geographic_level in ('National', 'Regional', 'Local authority')),
  area_code text not null check (length(area_code) between 1 and 12),
  value numeric,
  suppression text check (suppression in ('c', 'x', 'z', 'low', 'u', '')),
  primary key (measure, time_period, area_code),
  check ((value is null) = (suppression is not null))
);
create index benchmark_values_by_area on benchmark_values (area_code, measure, time_period);

create table benchmark_areas (
  area_code text primary key,
  geographic_level text not null check (geographic_level in ('National', 'Regional', 'Local authority')),
  name text not null,
  new_la_code text,
  region_code text,
  region_name text,
  last_year integer not null
);

create table statistical_neighbours (
  model text not null check (model in ('2021', '2025')),
  old_la_code text not null,
  rank integer not null check (rank between 1 and 10),
  neighbour_code text not null,
  closeness text,
  primary key (model, old_la_code, rank)
);

create table benchmark_imports (
  import_id uuid primary key,
  imported_at timestamptz not null default now(),
  source text not null,
  files text[] not null,
  value_rows integer not null,
  suppressed_rows integer not null
);

create table indicator_commentary (
  partnership_id uuid not null references partnerships,
  period text not null check (period ~ '^[0-9]{4}-Q[1-4]$'),
  indicator_id text not null check (indicator_id ~ '^[a-z0-9-]{1,60}$'),
  body text not null check (length(body) <= 4000),
  updated_by uuid not null,
  updated_at timestamptz not null default now(),
  primary key (partnership_id, period, indicator_id),
  foreign key (partnership_id, updated_by) references users
);

grant select on benchmark_values, benchmark_areas, statistical_neighbours, benchmark_imports to hearth_app;
grant select, insert, update on indicator_commentary to hearth_app;

alter table indicator_commentary enable row level security;
create policy partnership_isolation on indicator_commentary
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());
`,
  );
};
