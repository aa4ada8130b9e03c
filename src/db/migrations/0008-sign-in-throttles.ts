// SPDX-License-Identifier: MIT
/**
 * Sign-in hardening. An email address names one account in the whole database, so a failed sign-in counts
 * only against the account it was meant for and one partnership cannot lock out another's user. Failures
 * are throttled with a short back-off rather than a lock: by the email address typed (known or not, so the
 * answer never reveals whether an account exists), by the client's address, and by account for second
 * factor codes. Throttles are read and written only before a partnership is known, as the owner; they
 * hold hashes, not email or network addresses.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create unique index users_email_unique on users (lower(email));

create table sign_in_throttles (
  key_hash text primary key,
  failures integer not null check (failures >= 0),
  last_failure_at timestamptz not null,
  not_before timestamptz
);
create index sign_in_throttles_by_age on sign_in_throttles (last_failure_at);
revoke all on sign_in_throttles from hearth_app;

-- Whether an email address is taken in any partnership: the one cross-partnership fact an administrator
-- inviting a user needs, without letting the application role read other partnerships' users.
create function hearth_email_in_use(candidate text) returns boolean
  language sql stable security definer set search_path = public
  as $$ select exists (select 1 from users where lower(email) = lower(candidate)) $$;
revoke all on function hearth_email_in_use(text) from public;
grant execute on function hearth_email_in_use(text) to hearth_app;

alter table users drop column failed_sign_in_count;
alter table users drop column locked_until;
`,
  );
};
