// SPDX-License-Identifier: MIT
/**
 * Family assessments: one assessment of a household's children with one tool. Each child keeps an
 * ordinary assessment (their own areas, voice, result and change over time), linked to the family's row;
 * the areas a tool marks as shared (the parents' or carers' care, the home) are answered once, in
 * family_assessment_answers, and read into every child's results. The family's own words live on the
 * family's row.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

const TABLES = ["family_assessments", "family_assessment_answers"];

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create table family_assessments (
  partnership_id uuid not null references partnerships,
  family_assessment_id uuid not null,
  tool_version_id uuid not null,
  agency_id uuid not null,
  mode text not null check (mode in ('practitioner', 'with-family')),
  assessed_on date not null,
  started_by uuid not null,
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  family_view jsonb,
  primary key (partnership_id, family_assessment_id),
  foreign key (partnership_id, tool_version_id) references assessment_tool_versions,
  foreign key (partnership_id, agency_id) references agencies,
  foreign key (partnership_id, started_by) references users
);

create table family_assessment_answers (
  partnership_id uuid not null,
  family_assessment_id uuid not null,
  node_id text not null,
  value numeric,
  special text check (special in ('not_known', 'not_applicable')),
  evidence_sources text[] not null default '{}'
    check (evidence_sources <@ array['observed', 'carer', 'child', 'records', 'other-agency']::text[]),
  evidence text check (length(evidence) <= 4000),
  updated_at timestamptz not null default now(),
  updated_by uuid,
  primary key (partnership_id, family_assessment_id, node_id),
  foreign key (partnership_id, family_assessment_id) references family_assessments,
  check (value is null or special is null)
);

alter table assessments add column family_assessment_id uuid;
alter table assessments add constraint assessments_family_fk
  foreign key (partnership_id, family_assessment_id) references family_assessments;
create index assessments_by_family on assessments (partnership_id, family_assessment_id)
  where family_assessment_id is not null;

grant select, insert, update on family_assessments to hearth_app;
grant select, insert, update on family_assessment_answers to hearth_app;
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
