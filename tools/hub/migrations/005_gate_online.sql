-- Whether the gate is connected, from its retained online flag (last will "0"): the hub resends
-- unacknowledged sets only to gates that can receive them, so an offline gate's broker queue
-- does not fill with copies it would refuse as replays.
alter table gate add column online boolean not null default false;
