// SPDX-License-Identifier: MIT
/**
 * Agency data imports (issue 13 item 1): each agency's saved, versioned mapping per format; each import
 * run with how far it has got (rows are processed in committed batches, so a run killed halfway resumes
 * from the last batch); every source row's fate with a stable key (so a re-run adds nothing); the people a
 * weak match might be, and the decision a person makes on it. Imported facts are ordinary chronology
 * entries that name the import they came from.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

const TABLES = [
  "import_mappings",
  "agency_imports",
  "import_rows",
  "import_row_candidates",
  "import_reviews",
];

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create table import_mappings (
  partnership_id uuid not null,
  agency_id uuid not null,
  format text not null check (format in ('attendance', 'appointments-fhir', 'appointments-csv', 'police',
    'ae-attendances')),
  version integer not null check (version >= 1),
  columns jsonb not null,
  reason text not null check (length(trim(reason)) between 1 and 2000),
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (partnership_id, agency_id, format, version),
  foreign key (partnership_id, agency_id) references agencies,
  foreign key (partnership_id, created_by) references users
);

create table agency_imports (
  partnership_id uuid not null,
  import_id uuid not null,
  agency_id uuid not null,
  format text not null,
  mapping_version integer not null,
  file_name text not null check (length(file_name) between 1 and 300),
  file_sha256 text not null check (file_sha256 ~ '^[0-9a-f]{64}$'),
  content text,
  total_rows integer check (total_rows >= 0),
  next_row integer not null default 0 check (next_row >= 0),
  started_by uuid,
  started_at timestamptz not null default now(),
  progressed_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (partnership_id, import_id),
  foreign key (partnership_id, agency_id, format, mapping_version) references import_mappings,
  foreign key (partnership_id, started_by) references users
);
create index agency_imports_by_agency on agency_imports (partnership_id, agency_id, started_at);
create index agency_imports_unfinished on agency_imports (partnership_id, agency_id, format, file_sha256)
  where finished_at is null;

create table import_rows (
  partnership_id uuid not null,
  import_id uuid not null,
  row_number integer not null check (row_number >= 1),
  row_key text not null check (row_key ~ '^[0-9a-f]{64}$'),
  fate text not null check (fate in ('entry-created', 'no-entry', 'review', 'unmatched', 'rejected',
    'duplicate')),
  reason text,
  person_id uuid,
  event_id uuid,
  fields jsonb not null default '{}',
  primary key (partnership_id, import_id, row_number),
  foreign key (partnership_id, import_id) references agency_imports,
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, event_id) references chronology_events,
  check (fate <> 'entry-created' or event_id is not null)
);
-- A source row counts once: a later run (or a repeat within the file) finds its key taken.
create unique index import_rows_one_per_key on import_rows (partnership_id, row_key)
  where fate in ('entry-created', 'no-entry', 'review');
create index import_rows_by_fate on import_rows (partnership_id, import_id, fate);

create table import_row_candidates (
  partnership_id uuid not null,
  import_id uuid not null,
  row_number integer not null,
  person_id uuid not null,
  score real not null,
  matched_on text not null check (length(matched_on) between 1 and 200),
  primary key (partnership_id, import_id, row_number, person_id),
  foreign key (partnership_id, import_id, row_number) references import_rows,
  foreign key (partnership_id, person_id) references people
);

create table import_reviews (
  partnership_id uuid not null,
  import_id uuid not null,
  row_number integer not null,
  decision text not null check (decision in ('confirmed', 'rejected')),
  person_id uuid,
  event_id uuid,
  reason text check (reason is null or length(reason) <= 2000),
  decided_by uuid not null,
  decided_at timestamptz not null default now(),
  primary key (partnership_id, import_id, row_number),
  foreign key (partnership_id, import_id, row_number) references import_rows,
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, event_id) references chronology_events,
  foreign key (partnership_id, decided_by) references users,
  check (decision <> 'confirmed' or person_id is not null),
  check (decision <> 'rejected' or length(trim(coalesce(reason, ''))) > 0)
);

alter table chronology_events add column import_id uuid;
alter table chronology_events add foreign key (partnership_id, import_id) references agency_imports;
create index chronology_events_by_import on chronology_events (partnership_id, import_id)
  where import_id is not null;

grant select, insert on import_mappings, import_rows, import_row_candidates, import_reviews to hearth_app;
grant select, insert, update on agency_imports to hearth_app;
`,
  );
  for (const table of TABLES) {
    await runScript(
      db,
      `
alter table ${table} enable row level security;
create policy partnership_isolation on ${table}
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());
`,
    );
  }
};
