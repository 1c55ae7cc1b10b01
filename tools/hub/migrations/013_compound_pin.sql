-- PINs across gates (docs/sync.md "PINs across gates"). A resident's PIN verifier names the
-- compound PIN key it was made under (null: a gate's own key, as verifiers put at the office
-- before); the hub never holds that key, only the verifier (salt and keyed hash).
alter table resident add column pin_key_id bigint check (pin_key_id is null or pin_key_id between 1 and 4294967295);
-- The reporting gate's time when the PIN was set (0 / null: unknown): an older report does not replace a newer PIN.
alter table resident add column pin_set_at bigint;
-- The highest PIN report seq taken from each gate: a replayed or reordered older report is refused.
alter table gate add column pin_seq bigint not null default 0;
