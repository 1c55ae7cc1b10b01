-- One-time codes issued at the hub (docs/sync.md "Codes issued at the hub"). The hub never
-- keeps a code: only a copy sealed to each gate's X25519 key, which it cannot open.
-- A gate's seal key (its identity, derived from its device secret); null for a gate
-- registered without one: it gets no codes issued at the hub.
alter table gate add column seal_key bytea check (seal_key is null or length(seal_key) = 32);

create table issued_code (
  id bigint generated always as identity primary key,
  compound_id integer not null,
  resident_id integer not null,
  -- Seconds, as the gate stores them. valid_from is unique among a resident's codes:
  -- a gate's record of a code's use names the code by it (the code itself never leaves the gate).
  valid_from bigint not null,
  valid_until bigint not null,
  uses integer not null check (uses between 1 and 20),
  -- Uses the hub has seen in gates' audit records, across gates.
  uses_seen integer not null default 0,
  issued_at bigint not null,
  issued_by text not null,
  -- When it stopped: revoked at the office, or used up ('used').
  ended_at bigint,
  ended_why text check (ended_why is null or ended_why in ('revoked', 'used')),
  foreign key (compound_id, resident_id) references resident(compound_id, id) on delete cascade
);
create index issued_code_resident on issued_code (compound_id, resident_id);

-- The code sealed to each gate it was sent to (ciphertext only), while the code is live.
create table code_seal (
  code_id bigint not null references issued_code(id) on delete cascade,
  gate_id bigint not null references gate(id) on delete cascade,
  sealed bytea not null,
  primary key (code_id, gate_id)
);
create index code_seal_gate on code_seal (gate_id);
