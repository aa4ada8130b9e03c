// SPDX-License-Identifier: MIT
/**
 * One picture of the child: people (children, unborn children and adults) with name history, households
 * with membership periods, relationships, agencies' involvements with their lawful basis for sharing,
 * break-glass access, notifications, merges, and the multi-agency chronology.
 *
 * Chronology events are append-only: an amendment is a new row that supersedes the old one, and a
 * retraction is a row of its own, so the original is always kept. The application role has no UPDATE or
 * DELETE on them. pg_trgm gives typo-tolerant name search on both engines.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

const TABLES = [
  "people",
  "person_names",
  "households",
  "household_members",
  "relationships",
  "involvements",
  "involvement_requests",
  "break_glass",
  "notifications",
  "person_merges",
  "history_reads",
  "chronology_events",
  "chronology_retractions",
];

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create extension if not exists pg_trgm;

create table people (
  partnership_id uuid not null references partnerships,
  person_id uuid not null,
  kind text not null check (kind in ('child', 'adult')),
  given_names text not null check (length(given_names) between 1 and 200),
  family_name text not null check (length(family_name) between 1 and 200),
  date_of_birth date,
  expected_date_of_birth date,
  date_of_death date,
  sex text not null check (sex in ('M', 'F', 'U')),
  ethnicity text check (ethnicity in ('WBRI', 'WIRI', 'WIRT', 'WOTH', 'WROM', 'MWBC', 'MWBA', 'MWAS', 'MOTH',
    'AIND', 'APKN', 'ABAN', 'AOTH', 'BCRB', 'BAFR', 'BOTH', 'CHNE', 'OOTH', 'REFU', 'NOBT')),
  disabilities text[] not null default '{}' check (disabilities <@ array['NONE', 'MOB', 'HAND', 'PC', 'INC',
    'COMM', 'LD', 'HEAR', 'VIS', 'BEH', 'CON', 'AUT', 'DDA']::text[]),
  nhs_number text check (nhs_number ~ '^[0-9]{10}$'),
  upn text check (upn ~ '^[A-Z][0-9]{11}[0-9A-Z]$'),
  local_id text check (length(local_id) <= 20),
  send_status text check (send_status in ('none', 'sen-support', 'ehcp', 'assessing', 'unknown')),
  young_carer boolean,
  first_language text,
  merged_into_person_id uuid,
  created_at timestamptz not null default now(),
  created_by uuid,
  primary key (partnership_id, person_id),
  check (kind = 'child' or expected_date_of_birth is null),
  check (date_of_birth is null or expected_date_of_birth is null)
);
create index people_by_nhs_number on people (partnership_id, nhs_number) where nhs_number is not null;
create index people_by_upn on people (partnership_id, upn) where upn is not null;
create index people_by_birth_date on people (partnership_id, date_of_birth);
create index people_merged on people (partnership_id, merged_into_person_id) where merged_into_person_id is not null;

create table person_names (
  partnership_id uuid not null,
  name_id uuid not null,
  person_id uuid not null,
  given_names text not null check (length(given_names) between 1 and 200),
  family_name text not null check (length(family_name) between 1 and 200),
  full_name text generated always as (lower(given_names || ' ' || family_name)) stored,
  name_use text not null default 'current' check (name_use in ('current', 'previous', 'known-as')),
  recorded_at timestamptz not null default now(),
  primary key (partnership_id, name_id),
  foreign key (partnership_id, person_id) references people
);
create index person_names_by_person on person_names (partnership_id, person_id);
create index person_names_trigram on person_names using gin (full_name gin_trgm_ops);

create table households (
  partnership_id uuid not null references partnerships,
  household_id uuid not null,
  address_line text not null check (length(address_line) between 1 and 300),
  town text,
  postcode text,
  ward text,
  lsoa text,
  created_at timestamptz not null default now(),
  primary key (partnership_id, household_id)
);

create table household_members (
  partnership_id uuid not null,
  membership_id uuid not null,
  household_id uuid not null,
  person_id uuid not null,
  household_role text not null check (household_role in ('child', 'parent', 'other-adult')),
  valid_from date not null,
  valid_to date,
  primary key (partnership_id, membership_id),
  foreign key (partnership_id, household_id) references households,
  foreign key (partnership_id, person_id) references people,
  check (valid_to is null or valid_to >= valid_from)
);
create index household_members_by_person on household_members (partnership_id, person_id);
create index household_members_by_household on household_members (partnership_id, household_id);

create table relationships (
  partnership_id uuid not null,
  relationship_id uuid not null,
  person_id uuid not null,
  related_person_id uuid not null,
  relationship_type text not null check (relationship_type in ('mother', 'father', 'step-parent',
    'parents-partner', 'sibling', 'half-sibling', 'grandparent', 'kinship-carer', 'other-significant-adult')),
  parental_responsibility boolean not null default false,
  valid_from date,
  valid_to date,
  primary key (partnership_id, relationship_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, related_person_id) references people,
  check (person_id <> related_person_id)
);
create index relationships_by_person on relationships (partnership_id, person_id);
create index relationships_by_related on relationships (partnership_id, related_person_id);

create table involvements (
  partnership_id uuid not null,
  involvement_id uuid not null,
  person_id uuid not null,
  agency_id uuid not null,
  started_on date not null,
  ended_on date,
  lead_professional_user_id uuid,
  is_lead_agency boolean not null default false,
  sharing_basis text not null check (sharing_basis in ('consent', 'safeguarding-exception')),
  consent text not null check (consent in ('given', 'refused', 'not-sought')),
  sharing_reasoning text,
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (partnership_id, involvement_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, agency_id) references agencies,
  foreign key (partnership_id, lead_professional_user_id) references users,
  check (ended_on is null or ended_on >= started_on),
  check (consent = 'given' or length(coalesce(sharing_reasoning, '')) > 0)
);
create index involvements_by_person on involvements (partnership_id, person_id);
create index involvements_by_agency on involvements (partnership_id, agency_id, person_id);

create table involvement_requests (
  partnership_id uuid not null,
  request_id uuid not null,
  person_id uuid not null,
  requested_by uuid not null,
  requesting_agency_id uuid not null,
  reason text not null check (length(reason) between 1 and 2000),
  requested_at timestamptz not null default now(),
  decided_at timestamptz,
  decided_by uuid,
  decision text check (decision in ('granted', 'declined')),
  decision_reason text,
  primary key (partnership_id, request_id),
  foreign key (partnership_id, person_id) references people
);

create table break_glass (
  partnership_id uuid not null,
  break_glass_id uuid not null,
  person_id uuid not null,
  user_id uuid not null,
  agency_id uuid not null,
  reason text not null check (length(trim(reason)) >= 10),
  opened_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (partnership_id, break_glass_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, user_id) references users
);
create index break_glass_by_user on break_glass (partnership_id, user_id, person_id);

create table notifications (
  partnership_id uuid not null,
  notification_id uuid not null,
  recipient_user_id uuid not null,
  created_at timestamptz not null default now(),
  subject text not null,
  body text not null,
  link text,
  read_at timestamptz,
  primary key (partnership_id, notification_id),
  foreign key (partnership_id, recipient_user_id) references users
);
create index notifications_by_recipient on notifications (partnership_id, recipient_user_id, created_at);

create table person_merges (
  partnership_id uuid not null,
  merge_id uuid not null,
  kept_person_id uuid not null,
  merged_person_id uuid not null,
  reason text not null check (length(reason) between 1 and 2000),
  merged_at timestamptz not null default now(),
  merged_by uuid not null,
  reversed_at timestamptz,
  reversed_by uuid,
  reversal_reason text,
  primary key (partnership_id, merge_id),
  foreign key (partnership_id, kept_person_id) references people,
  foreign key (partnership_id, merged_person_id) references people
);

create table history_reads (
  partnership_id uuid not null,
  person_id uuid not null,
  user_id uuid not null,
  read_at timestamptz not null default now(),
  primary key (partnership_id, person_id, user_id)
);

create table chronology_events (
  partnership_id uuid not null,
  event_id uuid not null,
  person_id uuid not null,
  occurred_on date not null,
  date_precision text not null check (date_precision in ('day', 'month', 'approximate')),
  event_type text not null check (event_type in ('not-brought-health', 'not-brought-dental', 'ae-attendance',
    'injury', 'school-absence', 'persistent-absence', 'exclusion', 'missing-education', 'missing-episode',
    'domestic-abuse', 'parental-substance-misuse', 'parental-mental-health', 'housing-concern', 'eviction',
    'household-change', 'home-visit-seen', 'home-visit-seen-alone', 'home-visit-not-seen', 'home-conditions',
    'hunger-or-poor-hygiene', 'police-call-out', 'referral', 'birth', 'death', 'positive-change',
    'neglect-assessment', 'other')),
  source_agency_id uuid not null,
  recorded_by uuid,
  recorded_at timestamptz not null default now(),
  what_happened text not null check (length(what_happened) between 1 and 4000),
  impact_on_child text not null check (length(trim(impact_on_child)) between 1 and 4000),
  action_taken text,
  significance text not null check (significance in ('low', 'medium', 'high')),
  neglect_types text[] not null default '{}' check (neglect_types <@ array['physical', 'nutritional',
    'medical', 'educational', 'emotional', 'supervisory']::text[]),
  information_basis text not null check (information_basis in ('observed', 'reported', 'opinion')),
  visibility text not null default 'normal' check (visibility in ('normal', 'restricted')),
  restricted_to_roles text[] not null default '{}' check (restricted_to_roles <@ array['practitioner',
    'manager', 'safeguarding-lead', 'front-door', 'analyst', 'auditor', 'administrator']::text[]),
  supersedes_event_id uuid,
  amendment_reason text,
  primary key (partnership_id, event_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, source_agency_id) references agencies,
  foreign key (partnership_id, supersedes_event_id) references chronology_events,
  check (supersedes_event_id is null or length(trim(coalesce(amendment_reason, ''))) > 0)
);
create index chronology_events_by_person on chronology_events (partnership_id, person_id, occurred_on);
-- One amendment per version: a chain, never a fork.
create unique index chronology_events_one_successor on chronology_events (partnership_id, supersedes_event_id)
  where supersedes_event_id is not null;

create table chronology_retractions (
  partnership_id uuid not null,
  event_id uuid not null,
  retracted_at timestamptz not null default now(),
  retracted_by uuid,
  reason text not null check (length(trim(reason)) > 0),
  primary key (partnership_id, event_id),
  foreign key (partnership_id, event_id) references chronology_events
);

-- A person and everyone merged into them (and into those, and so on): one child, however many records.
create function hearth_person_cluster(root uuid) returns table (person_id uuid)
  language sql stable
  as $$
    with recursive cluster(person_id) as (
      select root
      union
      select p.person_id from people p join cluster c on p.merged_into_person_id = c.person_id
      where p.partnership_id = hearth_current_partnership()
    )
    select person_id from cluster
  $$;
grant execute on function hearth_person_cluster(uuid) to hearth_app;

create function hearth_chronology_is_append_only() returns trigger
  language plpgsql
  as $$ begin raise exception 'chronology events are never edited in place: amend or retract instead'; end $$;
create trigger chronology_events_append_only before update or delete on chronology_events
  for each row execute function hearth_chronology_is_append_only();
create trigger chronology_retractions_append_only before update or delete on chronology_retractions
  for each row execute function hearth_chronology_is_append_only();

grant select, insert, update on people, person_names, households, household_members, relationships,
  involvements, involvement_requests, notifications, person_merges to hearth_app;
grant select, insert on break_glass, history_reads, chronology_events, chronology_retractions to hearth_app;
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
