-- The firmware a gate says it runs ("optgate/0.1.0"), from its retained online flag
-- (src/core/sync/online.ts); kept while the gate is offline, shown on the gates page.
alter table gate add column firmware text check (firmware is null or length(firmware) <= 40);
