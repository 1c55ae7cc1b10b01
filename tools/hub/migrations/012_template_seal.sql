-- Face templates within the consent's scope (docs/sync.md "Templates within the consent's
-- scope"): a template enrolled at one gate, sealed by that gate to each other gate its
-- resident's consent names. The hub keeps only those ciphertexts (it holds no key that opens
-- them) until each addressee has answered, and deletes them when consent is withdrawn.
create table template_seal (
  compound_id integer not null,
  resident_id integer not null,
  -- The addressee: only its X25519 secret key opens `sealed`.
  gate_id bigint not null references gate(id) on delete cascade,
  from_gate bigint not null,
  -- The consent's terms as bound into the seal (template-share.ts consentScope).
  scope bigint not null,
  -- The grant time at the enrolling gate (its clock): a gate refuses it when a withdrawal came after.
  granted_at bigint not null,
  sealed bytea not null,
  received_at bigint not null,
  sent_at bigint,
  -- The addressee's signed answer (INSTALL_RESULTS), when it came.
  result text,
  result_at bigint,
  primary key (compound_id, resident_id, gate_id),
  foreign key (compound_id, resident_id) references resident(compound_id, id) on delete cascade
);
create index template_seal_gate on template_seal (gate_id);
