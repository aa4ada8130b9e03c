// SPDX-License-Identifier: MIT
/**
 * Responding to need: levels of need (configurable per partnership) and level decisions, requests for
 * support and the front door's rating and decision, early help (assessment, team around the family,
 * plan outcomes and actions, reviews, step-up and step-down), and children's social care as CIN census
 * coded events. Statuses are never stored: they are derived from the events (src/pathways/episodes.ts).
 * Nothing is deleted: an early help episode that steps up keeps its history, and social care events
 * are append-only (the application role has no UPDATE or DELETE on them).
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

const TABLES = [
  "need_levels",
  "level_decisions",
  "support_requests",
  "early_help",
  "early_help_members",
  "early_help_outcomes",
  "early_help_actions",
  "early_help_reviews",
  "csc_events",
  "supervision_records",
  "escalations",
  "escalation_steps",
];

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create table need_levels (
  partnership_id uuid not null references partnerships,
  level_code text not null check (level_code ~ '^[a-z0-9-]{1,40}$'),
  position integer not null,
  name text not null check (length(name) between 1 and 100),
  description text not null check (length(description) <= 2000),
  pathway text not null check (length(pathway) <= 500),
  primary key (partnership_id, level_code),
  unique (partnership_id, position)
);

create table level_decisions (
  partnership_id uuid not null,
  decision_id uuid not null,
  person_id uuid not null,
  suggested_level text,
  suggestion_source text,
  chosen_level text not null,
  rationale text not null check (length(trim(rationale)) between 1 and 4000),
  decided_by uuid not null,
  decided_on date not null,
  approved_by uuid,
  recorded_at timestamptz not null default now(),
  primary key (partnership_id, decision_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, decided_by) references users,
  foreign key (partnership_id, approved_by) references users
);
create index level_decisions_by_person on level_decisions (partnership_id, person_id, decided_on);

create table support_requests (
  partnership_id uuid not null,
  request_id uuid not null,
  person_id uuid not null,
  referrer_user_id uuid not null,
  referrer_agency_id uuid not null,
  received_on date not null,
  received_at timestamptz not null default now(),
  concerns text not null check (length(trim(concerns)) between 1 and 8000),
  what_tried text not null check (length(trim(what_tried)) between 1 and 8000),
  consent text not null check (consent in ('given', 'refused', 'not-sought')),
  consent_reason text,
  referrer_level text,
  from_early_help_id uuid,
  rag text check (rag in ('red', 'amber', 'green')),
  rated_by uuid,
  rated_at timestamptz,
  outcome text check (outcome in ('nfa', 'advice', 'early-help', 's17', 's47')),
  decision_reason text,
  decided_by uuid,
  decided_on date,
  decided_at timestamptz,
  episode_id uuid,
  early_help_id uuid,
  primary key (partnership_id, request_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, referrer_user_id) references users,
  foreign key (partnership_id, referrer_agency_id) references agencies,
  check (consent = 'given' or length(trim(coalesce(consent_reason, ''))) > 0),
  check ((outcome is null) = (decided_on is null)),
  check (outcome is null or length(trim(coalesce(decision_reason, ''))) > 0)
);
create index support_requests_undecided on support_requests (partnership_id, received_on) where outcome is null;
create index support_requests_by_person on support_requests (partnership_id, person_id);
create index support_requests_by_referrer on support_requests (partnership_id, referrer_agency_id, received_on);

create table early_help (
  partnership_id uuid not null,
  early_help_id uuid not null,
  person_id uuid not null,
  started_on date not null,
  consent_on date not null,
  assessment_summary text not null check (length(trim(assessment_summary)) between 1 and 8000),
  lead_user_id uuid,
  lead_agency_id uuid not null,
  review_interval_weeks integer not null check (review_interval_weeks between 1 and 26),
  ended_on date,
  ending text check (ending in ('outcomes-met', 'step-up', 'consent-withdrawn', 'moved')),
  ending_note text,
  stepped_down_from_episode_id uuid,
  support_request_id uuid,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  primary key (partnership_id, early_help_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, lead_user_id) references users,
  foreign key (partnership_id, lead_agency_id) references agencies,
  check ((ended_on is null) = (ending is null)),
  check (ended_on is null or ended_on >= started_on)
);
create index early_help_by_person on early_help (partnership_id, person_id);

create table early_help_members (
  partnership_id uuid not null,
  member_id uuid not null,
  early_help_id uuid not null,
  agency_id uuid,
  name text not null check (length(trim(name)) between 1 and 200),
  member_role text not null check (length(trim(member_role)) between 1 and 200),
  joined_on date not null,
  left_on date,
  primary key (partnership_id, member_id),
  foreign key (partnership_id, early_help_id) references early_help,
  foreign key (partnership_id, agency_id) references agencies
);

create table early_help_outcomes (
  partnership_id uuid not null,
  outcome_id uuid not null,
  early_help_id uuid not null,
  description text not null check (length(trim(description)) between 1 and 2000),
  added_on date not null,
  primary key (partnership_id, outcome_id),
  foreign key (partnership_id, early_help_id) references early_help
);

create table early_help_actions (
  partnership_id uuid not null,
  action_id uuid not null,
  early_help_id uuid not null,
  outcome_id uuid,
  description text not null check (length(trim(description)) between 1 and 2000),
  owner text not null check (length(trim(owner)) between 1 and 200),
  due_on date not null,
  done_on date,
  primary key (partnership_id, action_id),
  foreign key (partnership_id, early_help_id) references early_help,
  foreign key (partnership_id, outcome_id) references early_help_outcomes
);

create table early_help_reviews (
  partnership_id uuid not null,
  review_id uuid not null,
  early_help_id uuid not null,
  held_on date not null,
  progress jsonb not null default '{}',
  notes text not null check (length(notes) <= 8000),
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (partnership_id, review_id),
  foreign key (partnership_id, early_help_id) references early_help
);

create table csc_events (
  partnership_id uuid not null,
  event_id uuid not null,
  person_id uuid not null,
  episode_id uuid not null,
  subject_id uuid,
  event_type text not null check (event_type in ('referral', 'referral-nfa', 'primary-need', 'allocation',
    'assessment-start', 'assessment-authorised', 's47-start', 'icpc-not-required', 'icpc', 'cp-plan-start',
    'cp-category-change', 'cp-review', 'core-group', 'visit', 'cp-plan-end', 'cin-plan-start',
    'cin-plan-review', 'cin-plan-end', 'entered-care', 'closure')),
  occurred_on date not null,
  code text,
  codes text[] not null default '{}' check (codes <@ array['20', '21', '1A', '1B', '1C', '2A', '2B', '2C',
    '3A', '3B', '3C', '4A', '4B', '4C', '5A', '5B', '5C', '6A', '6B', '6C', '7A', '8B', '8C', '8D', '8E',
    '8F', '9A', '10A', '11A', '12A', '13A', '14A', '15A', '16A', '17A', '18A', '18B', '18C', '19A', '19B',
    '19C', '22A', '23A', '24A']::text[]),
  count integer check (count >= 0),
  child_seen boolean,
  seen_alone boolean,
  target_on date,
  worker_user_id uuid,
  note text check (length(note) <= 4000),
  origin text not null default 'hearth' check (origin in ('hearth', 'import', 'generator')),
  recorded_by uuid,
  recorded_at timestamptz not null default now(),
  primary key (partnership_id, event_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, worker_user_id) references users,
  check (event_type <> 'referral' or (episode_id = event_id and code in ('4', '6', '7', '8', '9', '10', '1A',
    '1B', '1C', '1D', '2A', '2B', '3A', '3B', '3C', '3D', '3E', '3F', '5A', '5B', '5C', '5D'))),
  check (event_type <> 'primary-need' or code in ('N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8', 'N9',
    'N0')),
  check (event_type <> 'closure' or code in ('RC1', 'RC2', 'RC3', 'RC4', 'RC5', 'RC6', 'RC7', 'RC8', 'RC9')),
  check (event_type not in ('cp-plan-start', 'cp-category-change') or code in ('NEG', 'PHY', 'SAB', 'EMO',
    'MUL')),
  check (event_type <> 'cp-review' or code is null or code in ('NEG', 'PHY', 'SAB', 'EMO', 'MUL')),
  check (event_type <> 'cp-plan-start' or count is not null),
  check (event_type <> 'entered-care' or code is null or code in ('N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7',
    'N8', 'N9', 'N0')),
  check (event_type not in ('assessment-authorised', 'icpc-not-required', 'cp-category-change', 'cp-review',
    'core-group', 'cp-plan-end', 'cin-plan-review', 'cin-plan-end', 'visit') or subject_id is not null)
);
create index csc_events_by_person on csc_events (partnership_id, person_id, occurred_on);
create index csc_events_by_worker on csc_events (partnership_id, worker_user_id) where worker_user_id is not null;

create function hearth_csc_events_append_only() returns trigger
  language plpgsql
  as $$ begin raise exception 'social care events are never edited in place: record a new event'; end $$;
create trigger csc_events_append_only before update or delete on csc_events
  for each row execute function hearth_csc_events_append_only();

create table supervision_records (
  partnership_id uuid not null,
  supervision_id uuid not null,
  person_id uuid not null,
  held_on date not null,
  supervisor_user_id uuid not null,
  supervisee_user_id uuid not null,
  reflection text not null check (length(trim(reflection)) between 1 and 8000),
  decisions text not null check (length(trim(decisions)) between 1 and 8000),
  actions text not null check (length(actions) <= 8000),
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (partnership_id, supervision_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, supervisor_user_id) references users,
  foreign key (partnership_id, supervisee_user_id) references users
);
create index supervision_records_by_person on supervision_records (partnership_id, person_id, held_on);

-- Resolving professional differences: stages practitioner, manager, safeguarding lead, partnership.
create table escalations (
  partnership_id uuid not null,
  escalation_id uuid not null,
  person_id uuid not null,
  raised_by uuid not null,
  raised_by_agency_id uuid not null,
  raised_on date not null,
  disagreement text not null check (length(trim(disagreement)) between 1 and 8000),
  resolved_on date,
  outcome text,
  primary key (partnership_id, escalation_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, raised_by) references users,
  check ((resolved_on is null) = (outcome is null))
);
create index escalations_by_person on escalations (partnership_id, person_id);

create table escalation_steps (
  partnership_id uuid not null,
  step_id uuid not null,
  escalation_id uuid not null,
  stage text not null check (stage in ('practitioner', 'manager', 'safeguarding-lead', 'partnership')),
  started_on date not null,
  note text not null check (length(trim(note)) between 1 and 8000),
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (partnership_id, step_id),
  foreign key (partnership_id, escalation_id) references escalations,
  unique (partnership_id, escalation_id, stage)
);

grant select, insert on supervision_records, escalation_steps to hearth_app;
grant select, insert, update on escalations to hearth_app;
grant delete on need_levels to hearth_app;
grant select, insert, update on need_levels, support_requests, early_help, early_help_members,
  early_help_actions to hearth_app;
grant select, insert on level_decisions, early_help_outcomes, early_help_reviews, csc_events to hearth_app;
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
