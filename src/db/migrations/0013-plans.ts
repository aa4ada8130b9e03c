// SPDX-License-Identifier: MIT
/**
 * Plans with content and casework narratives. A child protection, child in need or team-around-the-family
 * plan is a series of versions, each a whole snapshot of its outcomes and actions (ids kept from version to
 * version, so a review's progress follows an outcome through edits); a review records progress per outcome
 * and action, the child's view and the family's view. Assessment, strategy discussion and conference
 * records keep their narrative as versions too, tied to the census event they are about. A second person
 * authorises: the decision row carries the author's id, and a CHECK refuses a decision by the author.
 * Everything here is append-only: an edit is a new version, never an UPDATE.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

const TABLES = [
  "plans",
  "plan_versions",
  "plan_outcomes",
  "plan_actions",
  "plan_reviews",
  "plan_review_progress",
  "casework_records",
  "casework_record_versions",
  "authorisations",
  "authorisation_decisions",
];

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create table plans (
  partnership_id uuid not null,
  plan_id uuid not null,
  person_id uuid not null,
  plan_type text not null check (plan_type in ('cp', 'cin', 'taf')),
  episode_id uuid,
  plan_event_id uuid,
  early_help_id uuid,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  primary key (partnership_id, plan_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, plan_event_id) references csc_events,
  foreign key (partnership_id, early_help_id) references early_help,
  foreign key (partnership_id, created_by) references users,
  check ((plan_type = 'taf') = (early_help_id is not null)),
  check ((plan_type = 'taf') = (episode_id is null))
);
create index plans_by_person on plans (partnership_id, person_id);

create table plan_versions (
  partnership_id uuid not null,
  plan_id uuid not null,
  version integer not null check (version >= 1),
  summary text not null check (length(trim(summary)) between 1 and 8000),
  change_reason text check (length(change_reason) <= 2000),
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (partnership_id, plan_id, version),
  foreign key (partnership_id, plan_id) references plans,
  foreign key (partnership_id, recorded_by) references users,
  check (version = 1 or length(trim(coalesce(change_reason, ''))) > 0)
);

create table plan_outcomes (
  partnership_id uuid not null,
  plan_id uuid not null,
  version integer not null,
  outcome_id uuid not null,
  position integer not null,
  description text not null check (length(trim(description)) between 1 and 2000),
  primary key (partnership_id, plan_id, version, outcome_id),
  foreign key (partnership_id, plan_id, version) references plan_versions
);

create table plan_actions (
  partnership_id uuid not null,
  plan_id uuid not null,
  version integer not null,
  action_id uuid not null,
  outcome_id uuid,
  position integer not null,
  description text not null check (length(trim(description)) between 1 and 2000),
  owner_user_id uuid,
  owner_agency_id uuid,
  owner_name text check (length(owner_name) <= 200),
  due_on date not null,
  primary key (partnership_id, plan_id, version, action_id),
  foreign key (partnership_id, plan_id, version) references plan_versions,
  foreign key (partnership_id, plan_id, version, outcome_id) references plan_outcomes,
  foreign key (partnership_id, owner_user_id) references users,
  foreign key (partnership_id, owner_agency_id) references agencies,
  check (owner_user_id is not null or length(trim(coalesce(owner_name, ''))) > 0)
);
create index plan_actions_by_owner on plan_actions (partnership_id, owner_user_id) where owner_user_id is not null;

create table plan_reviews (
  partnership_id uuid not null,
  review_id uuid not null,
  plan_id uuid not null,
  plan_version integer not null,
  held_on date not null,
  child_view text not null check (length(trim(child_view)) between 1 and 8000),
  family_view text not null check (length(trim(family_view)) between 1 and 8000),
  summary text not null check (length(summary) <= 8000),
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (partnership_id, review_id),
  foreign key (partnership_id, plan_id, plan_version) references plan_versions,
  foreign key (partnership_id, recorded_by) references users
);
create index plan_reviews_by_plan on plan_reviews (partnership_id, plan_id, held_on);

create table plan_review_progress (
  partnership_id uuid not null,
  review_id uuid not null,
  item_type text not null check (item_type in ('outcome', 'action')),
  item_id uuid not null,
  status text not null check (status in ('achieved', 'on-track', 'some-progress', 'no-progress', 'worse')),
  narrative text not null check (length(narrative) <= 4000),
  primary key (partnership_id, review_id, item_type, item_id),
  foreign key (partnership_id, review_id) references plan_reviews
);

create table casework_records (
  partnership_id uuid not null,
  record_id uuid not null,
  person_id uuid not null,
  episode_id uuid not null,
  record_type text not null check (record_type in ('assessment', 'strategy-discussion', 'conference')),
  event_id uuid not null,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  primary key (partnership_id, record_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, event_id) references csc_events,
  foreign key (partnership_id, created_by) references users
);
create index casework_records_by_person on casework_records (partnership_id, person_id);

create table casework_record_versions (
  partnership_id uuid not null,
  record_id uuid not null,
  version integer not null check (version >= 1),
  narrative text not null check (length(trim(narrative)) between 1 and 20000),
  child_experience text not null check (length(child_experience) <= 8000),
  change_reason text check (length(change_reason) <= 2000),
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (partnership_id, record_id, version),
  foreign key (partnership_id, record_id) references casework_records,
  foreign key (partnership_id, recorded_by) references users,
  check (version = 1 or length(trim(coalesce(change_reason, ''))) > 0)
);

-- author_user_id is the submitted version's author (a trigger checks it against the version).
create table authorisations (
  partnership_id uuid not null,
  authorisation_id uuid not null,
  person_id uuid not null,
  subject_type text not null check (subject_type in ('assessment', 'plan')),
  record_id uuid,
  plan_id uuid,
  subject_version integer not null,
  author_user_id uuid not null,
  manager_user_id uuid not null,
  submitted_at timestamptz not null default now(),
  primary key (partnership_id, authorisation_id),
  unique (partnership_id, authorisation_id, author_user_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, record_id, subject_version) references casework_record_versions,
  foreign key (partnership_id, plan_id, subject_version) references plan_versions,
  foreign key (partnership_id, author_user_id) references users,
  foreign key (partnership_id, manager_user_id) references users,
  check ((subject_type = 'assessment') = (record_id is not null)),
  check ((subject_type = 'plan') = (plan_id is not null)),
  check (manager_user_id <> author_user_id)
);
create index authorisations_by_manager on authorisations (partnership_id, manager_user_id);

create function hearth_authorisation_author() returns trigger
  language plpgsql
  as $$
begin
  if new.author_user_id is distinct from (
    select coalesce(
      (select v.recorded_by from plan_versions v where v.partnership_id = new.partnership_id
        and v.plan_id = new.plan_id and v.version = new.subject_version),
      (select v.recorded_by from casework_record_versions v where v.partnership_id = new.partnership_id
        and v.record_id = new.record_id and v.version = new.subject_version))
  ) then
    raise exception 'an authorisation names the author of the version submitted';
  end if;
  return new;
end $$;
create trigger authorisations_author before insert on authorisations
  for each row execute function hearth_authorisation_author();

-- The author's id is copied in (and held to the authorisation's by the foreign key) so a plain CHECK
-- can refuse a decision by the author, whatever the application does.
create table authorisation_decisions (
  partnership_id uuid not null,
  authorisation_id uuid not null,
  author_user_id uuid not null,
  decision text not null check (decision in ('authorised', 'returned')),
  reason text check (length(reason) <= 4000),
  decided_by uuid not null,
  decided_at timestamptz not null default now(),
  primary key (partnership_id, authorisation_id),
  foreign key (partnership_id, authorisation_id, author_user_id)
    references authorisations (partnership_id, authorisation_id, author_user_id),
  foreign key (partnership_id, decided_by) references users,
  check (decided_by <> author_user_id),
  check (decision = 'authorised' or length(trim(coalesce(reason, ''))) > 0)
);

create function hearth_casework_append_only() returns trigger
  language plpgsql
  as $$ begin raise exception 'plans and casework records are never edited in place: record a new version'; end $$;
`,
  );

  for (const table of TABLES) {
    await runScript(
      db,
      `
create trigger ${table}_append_only before update or delete on ${table}
  for each row execute function hearth_casework_append_only();
grant select, insert on ${table} to hearth_app;
alter table ${table} enable row level security;
create policy partnership_isolation on ${table}
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());
`,
    );
  }
};
