// SPDX-License-Identifier: MIT
/**
 * The audit chain is extended at commit, by the database. Every audited transaction in a partnership
 * queues on its chain head, and held it from the append (two round trips: lock and read the head; insert
 * the rows and move it) until its commit reached the server, which under 200 users meant waiting for a
 * busy application's event loop twice: about 10 ms a transaction, so a partnership could not audit more
 * than about 100 requests a second whatever the machine. Now a transaction puts its rows in
 * `audit_pending` (no lock), and a deferred trigger chains them as the transaction commits: the head is
 * locked only inside the commit. The rows are still written in the transaction they audit, or not at all.
 *
 * The hash is the one the application computes and `hearth audit verify` checks (src/audit/hash-chain.ts):
 * SHA-256 of the previous hash, a newline and the row's canonical JSON. The application sends each row's
 * canonical JSON in two parts, the text before the sequence number and the text after it, as only the
 * locked head knows the number.
 */
import type { Kysely } from "kysely";
import { runScript } from "./statements.ts";

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await runScript(
    db,
    `
create function hearth_chain_audit(p_partnership_id uuid, p_rows jsonb) returns void
  language plpgsql
  set search_path = public, pg_temp
  as $$
declare
  v_seq bigint;
  v_prev text;
  v_hash text;
  v_change_seq bigint;
  v_seqs bigint[] := '{}';
  v_prevs text[] := '{}';
  v_hashes text[] := '{}';
  v_row jsonb;
begin
  -- The upsert locks the head (as select ... for update would) until the transaction ends.
  insert into audit_chain_heads (partnership_id, last_seq, last_hash)
    values (p_partnership_id, 0, repeat('0', 64))
    on conflict (partnership_id) do update set partnership_id = excluded.partnership_id
    returning last_seq, last_hash, last_change_seq into v_seq, v_prev, v_change_seq;
  for v_row in select value from jsonb_array_elements(p_rows) loop
    v_seq := v_seq + 1;
    v_hash := encode(sha256(convert_to(
      v_prev || E'\\n' || (v_row ->> 'before_seq') || v_seq::text || (v_row ->> 'after_seq'), 'UTF8')), 'hex');
    v_seqs := v_seqs || v_seq;
    v_prevs := v_prevs || v_prev;
    v_hashes := v_hashes || v_hash;
    if (v_row ->> 'changes_records')::boolean then v_change_seq := v_seq; end if;
    v_prev := v_hash;
  end loop;
  insert into audit_log (partnership_id, seq, occurred_at, actor_user_id, actor_role, actor_agency_id, action,
      record_type, record_id, reason, ip, details, prev_hash, hash)
    select p_partnership_id, v_seqs[r.n], (r.value ->> 'occurred_at')::timestamptz,
      (r.value ->> 'actor_user_id')::uuid, r.value ->> 'actor_role', (r.value ->> 'actor_agency_id')::uuid,
      r.value ->> 'action', r.value ->> 'record_type', r.value ->> 'record_id', r.value ->> 'reason',
      r.value ->> 'ip', r.value -> 'details', v_prevs[r.n], v_hashes[r.n]
    from jsonb_array_elements(p_rows) with ordinality as r(value, n);
  update audit_chain_heads set last_seq = v_seq, last_hash = v_prev, last_change_seq = v_change_seq
    where partnership_id = p_partnership_id;
end
$$;
create table audit_pending (
  partnership_id uuid not null,
  pending_id uuid not null default gen_random_uuid(),
  rows jsonb not null,
  primary key (partnership_id, pending_id)
);
grant select, insert, delete on audit_pending to hearth_app;
alter table audit_pending enable row level security;
create policy partnership_isolation on audit_pending
  using (partnership_id = hearth_current_partnership())
  with check (partnership_id = hearth_current_partnership());

create function hearth_chain_pending_audit() returns trigger
  language plpgsql
  set search_path = public, pg_temp
  as $$
begin
  perform hearth_chain_audit(new.partnership_id, new.rows);
  delete from audit_pending where partnership_id = new.partnership_id and pending_id = new.pending_id;
  return null;
end
$$;
-- Deferred: runs as the transaction commits, in the order the rows were put in.
create constraint trigger audit_pending_chained_at_commit after insert on audit_pending
  deferrable initially deferred
  for each row execute function hearth_chain_pending_audit();
`,
  );
};
