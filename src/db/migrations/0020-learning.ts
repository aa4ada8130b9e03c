// SPDX-License-Identifier: MIT
/**
 * Learning (issue 15): multi-agency case audits, workforce training and feedback from children and
 * families. Everything is append-only for the application role (select and insert only): a changed audit
 * return or moderation is a new version, an action's completion and a quote's choice are their own rows,
 * and a one-time feedback link is spent by the one response that may name it. Code lists are literals
 * (src/db/constraint-drift.test.ts compares them with src/learning/codes.ts). Row-level security is enabled,
 * not forced, as in every earlier migration: the owner is the system's own path (the generator, the
 * one-time feedback link's look-up by its secret, named unsafe...).
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

const TABLES = [
  "audit_forms",
  "audit_rounds",
  "audit_round_agencies",
  "audit_round_children",
  "audit_returns",
  "audit_return_answers",
  "audit_moderations",
  "audit_actions",
  "audit_action_completions",
  "training_courses",
  "training_sessions",
  "training_attendance",
  "training_evaluations",
  "training_targets",
  "feedback_links",
  "feedback_responses",
  "feedback_quotes",
];

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create table audit_forms (
  partnership_id uuid not null references partnerships,
  form_id uuid not null,
  slug text not null,
  version text not null,
  name text not null,
  content jsonb not null,
  content_hash text not null,
  source_text text not null,
  published_at timestamptz not null default now(),
  primary key (partnership_id, form_id),
  unique (partnership_id, slug, version)
);

create table audit_rounds (
  partnership_id uuid not null,
  round_id uuid not null,
  title text not null check (length(trim(title)) between 1 and 200),
  theme text not null check (theme in ('neglect', 'early-help', 'front-door', 'child-protection')),
  form_id uuid not null,
  sample_method text not null check (sample_method in ('random', 'rule')),
  sample_rule text not null check (sample_rule in ('neglect-entries', 'open-involvement', 'any-child')),
  sample_seed text,
  sample_size integer not null check (sample_size between 1 and 100),
  starts_on date not null,
  returns_due_on date not null,
  ends_on date not null,
  planned_by uuid not null,
  planned_at timestamptz not null default now(),
  primary key (partnership_id, round_id),
  foreign key (partnership_id, form_id) references audit_forms,
  foreign key (partnership_id, planned_by) references users,
  check (starts_on <= returns_due_on and returns_due_on <= ends_on)
);

create table audit_round_agencies (
  partnership_id uuid not null,
  round_id uuid not null,
  agency_id uuid not null,
  auditor_user_id uuid not null,
  primary key (partnership_id, round_id, agency_id),
  foreign key (partnership_id, round_id) references audit_rounds,
  foreign key (partnership_id, agency_id) references agencies,
  foreign key (partnership_id, auditor_user_id) references users
);
create index audit_round_agencies_by_auditor on audit_round_agencies (partnership_id, auditor_user_id);

create table audit_round_children (
  partnership_id uuid not null,
  round_id uuid not null,
  person_id uuid not null,
  position integer not null,
  primary key (partnership_id, round_id, person_id),
  foreign key (partnership_id, round_id) references audit_rounds,
  foreign key (partnership_id, person_id) references people
);
create index audit_round_children_by_person on audit_round_children (partnership_id, person_id);

create table audit_returns (
  partnership_id uuid not null,
  return_id uuid not null,
  round_id uuid not null,
  person_id uuid not null,
  agency_id uuid not null,
  version integer not null check (version >= 1),
  overall_grade text not null check (overall_grade in ('outstanding', 'good', 'requires-improvement', 'inadequate')),
  summary text not null check (length(trim(summary)) between 1 and 4000),
  submitted_by uuid not null,
  submitted_at timestamptz not null default now(),
  primary key (partnership_id, return_id),
  unique (partnership_id, round_id, person_id, agency_id, version),
  foreign key (partnership_id, round_id, person_id) references audit_round_children,
  foreign key (partnership_id, round_id, agency_id) references audit_round_agencies,
  foreign key (partnership_id, submitted_by) references users
);

create table audit_return_answers (
  partnership_id uuid not null,
  return_id uuid not null,
  question_id text not null,
  grade text not null check (grade in ('outstanding', 'good', 'requires-improvement', 'inadequate')),
  evidence text not null check (length(trim(evidence)) between 1 and 4000),
  primary key (partnership_id, return_id, question_id),
  foreign key (partnership_id, return_id) references audit_returns
);

create table audit_moderations (
  partnership_id uuid not null,
  moderation_id uuid not null,
  round_id uuid not null,
  person_id uuid not null,
  version integer not null check (version >= 1),
  agreed_grade text not null check (agreed_grade in ('outstanding', 'good', 'requires-improvement', 'inadequate')),
  learning_points text not null check (length(trim(learning_points)) between 1 and 4000),
  moderated_by uuid not null,
  moderated_at timestamptz not null default now(),
  primary key (partnership_id, moderation_id),
  unique (partnership_id, round_id, person_id, version),
  foreign key (partnership_id, round_id, person_id) references audit_round_children,
  foreign key (partnership_id, moderated_by) references users
);

create table audit_actions (
  partnership_id uuid not null,
  action_id uuid not null,
  round_id uuid not null,
  person_id uuid not null,
  description text not null check (length(trim(description)) between 1 and 2000),
  owner_user_id uuid not null,
  due_on date not null,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  primary key (partnership_id, action_id),
  foreign key (partnership_id, round_id, person_id) references audit_round_children,
  foreign key (partnership_id, owner_user_id) references users,
  foreign key (partnership_id, created_by) references users
);
create index audit_actions_by_owner on audit_actions (partnership_id, owner_user_id);

create table audit_action_completions (
  partnership_id uuid not null,
  action_id uuid not null,
  completed_on date not null,
  note text not null check (length(trim(note)) between 1 and 2000),
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (partnership_id, action_id),
  foreign key (partnership_id, action_id) references audit_actions,
  foreign key (partnership_id, recorded_by) references users
);

create table training_courses (
  partnership_id uuid not null references partnerships,
  course_id uuid not null,
  title text not null check (length(trim(title)) between 1 and 200),
  level text not null check (level in ('introductory', 'core', 'advanced')),
  tool_slugs text[] not null default '{}',
  outcomes text[] not null check (cardinality(outcomes) between 1 and 10),
  created_by uuid not null,
  created_at timestamptz not null default now(),
  primary key (partnership_id, course_id),
  foreign key (partnership_id, created_by) references users
);

create table training_sessions (
  partnership_id uuid not null,
  session_id uuid not null,
  course_id uuid not null,
  held_on date not null,
  trainer text not null check (length(trim(trainer)) between 1 and 200),
  created_by uuid not null,
  created_at timestamptz not null default now(),
  primary key (partnership_id, session_id),
  foreign key (partnership_id, course_id) references training_courses,
  foreign key (partnership_id, created_by) references users
);

create table training_attendance (
  partnership_id uuid not null,
  session_id uuid not null,
  user_id uuid not null,
  agency_id uuid not null,
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (partnership_id, session_id, user_id),
  foreign key (partnership_id, session_id) references training_sessions,
  foreign key (partnership_id, user_id) references users,
  foreign key (partnership_id, agency_id) references agencies,
  foreign key (partnership_id, recorded_by) references users
);
create index training_attendance_by_user on training_attendance (partnership_id, user_id);

create table training_evaluations (
  partnership_id uuid not null,
  session_id uuid not null,
  user_id uuid not null,
  stage text not null check (stage in ('before', 'after')),
  ratings smallint[] not null check (cardinality(ratings) between 1 and 10 and 1 <= all (ratings) and 5 >= all (ratings)),
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (partnership_id, session_id, user_id, stage),
  foreign key (partnership_id, session_id, user_id) references training_attendance,
  foreign key (partnership_id, recorded_by) references users
);

create table training_targets (
  partnership_id uuid not null references partnerships,
  version integer not null check (version >= 1),
  target_percent integer not null check (target_percent between 1 and 100),
  set_by uuid not null,
  set_at timestamptz not null default now(),
  primary key (partnership_id, version),
  foreign key (partnership_id, set_by) references users
);

create table feedback_links (
  partnership_id uuid not null,
  link_id uuid not null,
  token_hash text not null unique,
  person_id uuid not null,
  agency_id uuid not null,
  version text not null check (version in ('child', 'family')),
  created_by uuid not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (partnership_id, link_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, agency_id) references agencies,
  foreign key (partnership_id, created_by) references users
);

create table feedback_responses (
  partnership_id uuid not null,
  response_id uuid not null,
  person_id uuid not null,
  agency_id uuid not null,
  episode_id uuid,
  version text not null check (version in ('child', 'family')),
  channel text not null check (channel in ('device', 'link')),
  link_id uuid,
  answers jsonb not null,
  comment text check (comment is null or length(comment) <= 2000),
  recorded_by uuid,
  submitted_at timestamptz not null default now(),
  primary key (partnership_id, response_id),
  unique (partnership_id, link_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, agency_id) references agencies,
  foreign key (partnership_id, link_id) references feedback_links,
  foreign key (partnership_id, recorded_by) references users,
  check ((channel = 'link') = (link_id is not null))
);
create index feedback_responses_by_person on feedback_responses (partnership_id, person_id);

create table feedback_quotes (
  partnership_id uuid not null,
  response_id uuid not null,
  chosen_by uuid not null,
  chosen_at timestamptz not null default now(),
  primary key (partnership_id, response_id),
  foreign key (partnership_id, response_id) references feedback_responses,
  foreign key (partnership_id, chosen_by) references users
);
`,
  );
  for (const table of TABLES) {
    await runScript(
      db,
      `
grant select, insert on ${table} to hearth_app;
alter table ${table} enable row level security;
create policy partnership_isolation on ${table}
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());
`,
    );
  }
};
