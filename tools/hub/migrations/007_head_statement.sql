-- The whole statement a gate signed for its audit head: with the anchor's chain hash and the
-- gate's signing time beside the rest, anyone holding the gate's public key can check the
-- signature on an export without trusting the hub (heads stored before this have them null).
alter table audit_head add column anchor_hash bytea;
alter table audit_head add column signed_time double precision;
