-- Desired state of each compound and, per gate, numbered versions of it.
-- Times are ms since the epoch (bigint), the same on PostgreSQL and PGlite.
create table compound (
  id integer primary key,
  name text not null
);

create table gate (
  id bigint primary key check (id between 0 and 4294967295),
  compound_id integer not null references compound(id),
  name text not null,
  -- The gate's Ed25519 public key: its acks are verified with it.
  public_key bytea not null check (length(public_key) = 32),
  -- Access groups this gate serves: residents whose groups share a bit come here.
  groups bigint not null default 4294967295,
  -- Newest version built for the gate, and the version it last acknowledged.
  desired_version bigint not null default 0,
  applied_version bigint not null default 0,
  acked_at bigint,
  -- The last refusal the gate reported (reason, version); a full resync follows a refused apply.
  refused_reason text,
  refused_version bigint,
  needs_full boolean not null default false
);

create table resident (
  compound_id integer not null references compound(id),
  id integer not null check (id between 1 and 16777215),
  unit text not null,
  role smallint not null,
  status smallint not null,
  groups bigint not null,
  valid_from bigint not null,   -- seconds, 0 = none (as the gate stores it)
  valid_until bigint not null,  -- seconds, 4294967295 = none
  -- A PIN verifier made where the PIN was typed (salt and keyed hash), never a PIN.
  pin_salt bytea,
  pin_hash bytea,
  primary key (compound_id, id)
);

create table card (
  compound_id integer not null,
  uid bytea not null,
  resident_id integer not null,
  primary key (compound_id, uid),
  foreign key (compound_id, resident_id) references resident(compound_id, id) on delete cascade
);
create index card_resident on card (compound_id, resident_id);

-- What each gate should hold at its desired_version, one canonical record per resident
-- (src/core/sync/inventory.ts), so the next version is a difference from it.
create table desired_record (
  gate_id bigint not null references gate(id) on delete cascade,
  resident_id integer not null,
  record bytea not null,
  digest bytea not null,
  primary key (gate_id, resident_id)
);

-- Incremental change sets, one row per version: the registry changes, length-prefixed (u16).
create table change_set (
  gate_id bigint not null references gate(id) on delete cascade,
  version bigint not null,
  changes bytea not null,
  change_count integer not null,
  created_at bigint not null,
  primary key (gate_id, version)
);

create table ack_log (
  gate_id bigint not null references gate(id) on delete cascade,
  received_at bigint not null,
  status text not null,
  applied bigint not null,
  about bigint not null,
  reason text not null,
  gate_time bigint not null
);
create index ack_log_gate on ack_log (gate_id, received_at);

-- The hub's own signing keys (public halves; the private key is configuration, never stored here).
create table hub_key (
  key_id bytea primary key,
  public_key bytea not null,
  first_used_at bigint not null
);
