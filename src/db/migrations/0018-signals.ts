// SPDX-License-Identifier: MIT
/**
 * Signals: a rule (versioned YAML data, src/signals/rules) that found a pattern of low-level concern in a
 * child's and family's chronology, stored with the exact entries that fired it, and the decisions people
 * record on it. A signal is an event (it fired, with these entries); a decision is another; nothing is
 * updated or deleted. An entry is never counted twice by the same rule for the same child (a unique key),
 * so re-running evaluation adds nothing. And the chronology's new event type, a decision on a signal.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

const TABLES = ["signals", "signal_entries", "signal_decisions"];

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create table signals (
  partnership_id uuid not null references partnerships,
  signal_id uuid not null,
  person_id uuid not null,
  rule_id text not null check (rule_id ~ '^[a-z0-9][a-z0-9-]{0,79}$'),
  rule_version integer not null check (rule_version >= 1),
  rule_hash text not null,
  window_from date not null,
  window_to date not null,
  fired_at timestamptz not null default now(),
  fired_by uuid,
  trigger text not null check (trigger in ('entry-recorded', 'evaluate-command', 'worklist')),
  primary key (partnership_id, signal_id),
  foreign key (partnership_id, person_id) references people,
  foreign key (partnership_id, fired_by) references users,
  check (window_from <= window_to)
);
create index signals_by_person on signals (partnership_id, person_id, rule_id);
create index signals_by_rule on signals (partnership_id, rule_id, fired_at);

create table signal_entries (
  partnership_id uuid not null,
  signal_id uuid not null,
  rule_id text not null,
  child_person_id uuid not null,
  entry_source text not null check (entry_source in ('agency', 'social-care')),
  entry_id uuid not null,
  entry_person_id uuid not null,
  primary key (partnership_id, signal_id, entry_id),
  foreign key (partnership_id, signal_id) references signals,
  foreign key (partnership_id, entry_person_id) references people
);
-- One entry fires a rule for a child once: a second evaluation cannot make a second signal from it.
create unique index signal_entries_once on signal_entries (partnership_id, rule_id, child_person_id, entry_id);

create table signal_decisions (
  partnership_id uuid not null,
  decision_id uuid not null,
  signal_id uuid not null,
  decision text not null check (decision in ('no-action', 'talk-with-family', 'screening',
    'request-for-support')),
  reason text not null check (length(trim(reason)) between 1 and 2000),
  decided_by uuid not null,
  decided_agency_id uuid not null,
  decided_at timestamptz not null default now(),
  chronology_event_id uuid not null,
  primary key (partnership_id, decision_id),
  foreign key (partnership_id, signal_id) references signals,
  foreign key (partnership_id, decided_by) references users,
  foreign key (partnership_id, decided_agency_id) references agencies,
  foreign key (partnership_id, chronology_event_id) references chronology_events
);
create index signal_decisions_by_signal on signal_decisions (partnership_id, signal_id, decided_at);

alter table chronology_events drop constraint chronology_events_event_type_check;
alter table chronology_events add constraint chronology_events_event_type_check check (event_type in (
  'not-brought-health', 'not-brought-dental', 'ae-attendance', 'injury', 'school-absence',
  'persistent-absence', 'exclusion', 'missing-education', 'missing-episode', 'domestic-abuse',
  'parental-substance-misuse', 'parental-mental-health', 'housing-concern', 'eviction', 'household-change',
  'home-visit-seen', 'home-visit-seen-alone', 'home-visit-not-seen', 'home-conditions',
  'hunger-or-poor-hygiene', 'police-call-out', 'referral', 'birth', 'death', 'positive-change',
  'neglect-assessment', 'other', 'signal-decision'));

grant select, insert on signals, signal_entries, signal_decisions to hearth_app;
`,
  );
  for (const table of TABLES) {
    await runScript(
      db,
      `
alter table ${table} enable row level security;
alter table ${table} force row level security;
create policy partnership_isolation on ${table}
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());
`,
    );
  }
};
