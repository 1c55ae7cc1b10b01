-- The last PIN report the hub answered per gate and resident (tools/hub/pins.ts): its digest and
-- the outcome. The gate keeps a report until the hub's answer comes; a copy of a report the hub
-- already answered (the answer lost with a killed process) gets the same answer again, instead of
-- "replayed", which would make the gate report it again under a new seq and write it a second time
-- (over an office change made in between, for a report without a trusted time).
create table pin_report (
  gate_id bigint not null references gate(id) on delete cascade,
  resident_id integer not null,
  digest bytea not null,
  outcome text not null,
  primary key (gate_id, resident_id)
);
