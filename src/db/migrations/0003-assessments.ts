// SPDX-License-Identifier: MIT
/**
 * Neglect assessments: tools and their published versions (immutable, stored as validated JSON with a
 * content hash), assessments pinned to one version, their answers, visits, targets, and the family's and
 * the child's views. A completed assessment adds a "neglect-assessment" entry to the child's chronology,
 * so the chronology's event type list is widened here.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

const TABLES = [
  "assessment_tools",
  "assessment_tool_versions",
  "assessments",
  "assessment_answers",
  "assessment_visits",
  "assessment_targets",
];

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
alter table chronology_events drop constraint chronology_events_event_type_check;
alter table chronology_events add constraint chronology_events_event_type_check
  check (event_type in ('not-brought-health', 'not-brought-dental', 'ae-attendance', 'injury',
    'school-absence', 'persistent-absence', 'exclusion', 'missing-education', 'missing-episode',
    'domestic-abuse', 'parental-substance-misuse', 'parental-mental-health', 'housing-concern', 'eviction',
    'household-change', 'home-visit-seen', 'home-visit-seen-alone', 'home-visit-not-seen', 'home-conditions',
    'hunger-or-poor-hygiene', 'police-call-out', 'referral', 'birth', 'death', 'positive-change',
    'neglect-assessment', 'other'));

create table assessment_tools (
  partnership_id uuid not null references partnerships,
  tool_id uuid not null,
  slug text not null check (slug ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
  name text not null check (length(name) between 1 and 200),
  tier text not null check (tier in ('screen', 'in_depth', 'analysis')),
  licence_kind text not null check (licence_kind in ('own', 'open', 'licensed_third_party')),
  attribution text,
  source text not null check (source in ('repository', 'upload')),
  created_at timestamptz not null default now(),
  created_by uuid,
  primary key (partnership_id, tool_id),
  unique (partnership_id, slug)
);

create table assessment_tool_versions (
  partnership_id uuid not null,
  tool_version_id uuid not null,
  tool_id uuid not null,
  version text not null check (version ~ '^[0-9]+[.][0-9]+[.][0-9]+$'),
  content jsonb not null,
  content_hash text not null check (content_hash ~ '^[0-9a-f]{64}$'),
  source_text text not null,
  published_at timestamptz not null default now(),
  published_by uuid,
  primary key (partnership_id, tool_version_id),
  foreign key (partnership_id, tool_id) references assessment_tools,
  unique (partnership_id, tool_id, version)
);

-- A published version never changes: assessments pinned to it must always read the same tool.
create function hearth_tool_version_is_immutable() returns trigger
  language plpgsql
  as $$ begin raise exception 'a published tool version never changes: publish a new version instead'; end $$;
create trigger assessment_tool_versions_immutable before update or delete on assessment_tool_versions
  for each row execute function hearth_tool_version_is_immutable();

create table assessments (
  partnership_id uuid not null,
  assessment_id uuid not null,
  person_id uuid not null,
  tool_version_id uuid not null,
  agency_id uuid not null,
  status text not null default 'draft' check (status in ('draft', 'submitted', 'signed-off')),
  mode text not null check (mode in ('practitioner', 'with-family')),
  assessed_on date not null,
  observation_from date,
  observation_to date,
  started_by uuid not null,
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  judgements jsonb not null default '{}',
  family_view jsonb,
  child_voice jsonb,
  summary text,
  results jsonb,
  submitted_at timestamptz,
  submitted_by uuid,
  signed_off_at timestamptz,
  signed_off_by uuid,
  sign_off_comments text,
  returned_comments text,
  chronology_event_id uuid,
  primary key (partnership_id, assessment_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, tool_version_id) references assessment_tool_versions,
  foreign key (partnership_id, agency_id) references agencies,
  foreign key (partnership_id, started_by) references users,
  check (observation_to is null or observation_from is null or observation_to >= observation_from),
  check (status <> 'signed-off' or (signed_off_at is not null and signed_off_by is not null))
);
create index assessments_by_person on assessments (partnership_id, person_id, assessed_on);

create table assessment_answers (
  partnership_id uuid not null,
  assessment_id uuid not null,
  node_id text not null,
  value numeric,
  special text check (special in ('not_known', 'not_applicable')),
  evidence_sources text[] not null default '{}'
    check (evidence_sources <@ array['observed', 'carer', 'child', 'records', 'other-agency']::text[]),
  evidence text check (length(evidence) <= 4000),
  updated_at timestamptz not null default now(),
  updated_by uuid,
  primary key (partnership_id, assessment_id, node_id),
  foreign key (partnership_id, assessment_id) references assessments,
  check (value is null or special is null)
);

create table assessment_visits (
  partnership_id uuid not null,
  visit_id uuid not null,
  assessment_id uuid not null,
  visited_on date not null,
  announced boolean not null,
  child_seen boolean not null default true,
  note text check (length(note) <= 1000),
  recorded_by uuid,
  primary key (partnership_id, visit_id),
  foreign key (partnership_id, assessment_id) references assessments
);
create index assessment_visits_by_assessment on assessment_visits (partnership_id, assessment_id);

create table assessment_targets (
  partnership_id uuid not null,
  target_id uuid not null,
  assessment_id uuid not null,
  node_id text not null,
  target_value numeric not null,
  what_will_change text not null check (length(what_will_change) between 1 and 2000),
  who text check (length(who) <= 200),
  review_on date not null,
  recorded_by uuid,
  primary key (partnership_id, target_id),
  foreign key (partnership_id, assessment_id) references assessments
);
create index assessment_targets_by_assessment on assessment_targets (partnership_id, assessment_id);

grant select, insert on assessment_tools, assessment_tool_versions to hearth_app;
grant select, insert, update on assessments to hearth_app;
grant select, insert, update, delete on assessment_answers, assessment_visits, assessment_targets to hearth_app;
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
