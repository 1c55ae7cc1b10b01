-- The hub as witness of each gate's audit chains: the newest signed head it accepted per
-- (gate, log), and alarms when a gate's log is cut back or a record it saw comes back different.
create table audit_head (
  gate_id bigint not null references gate(id) on delete cascade,
  log smallint not null,
  anchor_seq bigint not null,
  head_seq bigint not null,
  head_hash bytea not null,
  digest bytea not null,
  signature bytea not null,
  -- True when the hub held every record of the head's window and their digest matched.
  records_verified boolean not null,
  received_at bigint not null,
  primary key (gate_id, log)
);

create table audit_alarm (
  id bigint generated always as identity primary key,
  gate_id bigint not null references gate(id) on delete cascade,
  log smallint not null,
  kind text not null,   -- truncated | rewritten
  seq bigint not null,
  detail text not null,
  raised_at bigint not null
);
create index audit_alarm_gate on audit_alarm (gate_id, raised_at);
