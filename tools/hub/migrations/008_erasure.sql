-- Template erasure across the fleet (docs/sync.md "Erasure"): one order per withdrawal of
-- consent, one row per (order, gate) until the gate's signed receipt comes back.
create table erasure_order (
  order_id bytea primary key check (length(order_id) = 16),
  compound_id integer not null references compound(id),
  resident_id integer not null,
  -- "office" (withdrawn at the hub) or "gate" (a "withdrawn here" notice from origin_gate).
  origin text not null check (origin in ('office', 'gate')),
  origin_gate bigint references gate(id),
  created_at bigint not null
);

create table erasure (
  order_id bytea not null references erasure_order(order_id),
  gate_id bigint not null references gate(id),
  state text not null default 'pending' check (state in ('pending', 'done')),
  -- From the receipt (or the origin gate's notice): whether a template was held, the gate's time, its signature.
  held boolean,
  gate_time bigint,
  receipt_signature bytea check (receipt_signature is null or length(receipt_signature) = 64),
  sent_at bigint,
  done_at bigint,
  primary key (order_id, gate_id)
);
create index erasure_pending on erasure (gate_id) where state = 'pending';
