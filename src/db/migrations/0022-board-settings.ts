// SPDX-License-Identifier: MIT
/**
 * The board's settings, kept as versions like the pathway settings (0014): the local authority the
 * partnership is benchmarked as, the names of its strategies, the child population rates are computed
 * against (the ONS estimate, or, for a synthetic demo, the children recorded in Hearth), and each
 * indicator's reporting target with its red/amber/green thresholds. A change is a new row with who,
 * when and why; the application role cannot update or delete.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create table board_settings_versions (
  partnership_id uuid not null references partnerships,
  version integer not null check (version >= 1),
  authority_code text not null check (authority_code ~ '^[0-9]{3}$'),
  population_basis text not null check (population_basis in ('ons', 'recorded')),
  settings jsonb not null,
  reason text not null check (length(trim(reason)) between 1 and 2000),
  changed_by uuid not null,
  changed_at timestamptz not null default now(),
  primary key (partnership_id, version),
  foreign key (partnership_id, changed_by) references users
);

grant select, insert on board_settings_versions to hearth_app;

alter table board_settings_versions enable row level security;
create policy partnership_isolation on board_settings_versions
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());
`,
  );
};
