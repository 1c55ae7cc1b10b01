-- The newest version a hub has handed to its gate (sent, or being sent). Versions above it are
-- still open: an edit made while the gate's previous set is on its way joins the newest open
-- version instead of adding one of its own (tools/hub/hub.ts, "coalescing"), so 1,000 edits a
-- minute do not cost 1,000 signed sets per gate. A sealed version never changes again.
alter table gate add column sealed_version bigint not null default 0;
-- Every version a hub built so far may have been sent already.
update gate set sealed_version = desired_version;
