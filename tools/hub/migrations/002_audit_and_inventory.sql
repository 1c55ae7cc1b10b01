-- Audit records streamed up by gates, once each: (gate, log, sequence) is the key,
-- so a batch sent twice (QoS 1 redelivery, a gate resending after a reconnect) adds nothing.
create table audit_record (
  gate_id bigint not null references gate(id) on delete cascade,
  log smallint not null,          -- 0 access, 1 security
  seq bigint not null,
  record bytea not null,
  received_at bigint not null,
  primary key (gate_id, log, seq)
);

-- The gate's last reported inventory: resident id and digest of what it holds.
create table inventory (
  gate_id bigint not null references gate(id) on delete cascade,
  resident_id integer not null,
  digest bytea not null,
  primary key (gate_id, resident_id)
);
alter table gate add column inventory_version bigint;
alter table gate add column inventory_at bigint;
