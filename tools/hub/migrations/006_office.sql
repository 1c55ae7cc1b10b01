-- The management office's web page: its people, their sessions, login throttling and
-- the record of every change they make. Passwords are scrypt verifiers, session
-- tokens are kept only as SHA-256 digests: a copy of the database opens no session.
create table office_user (
  id integer generated always as identity primary key,
  username text not null unique check (username ~ '^[a-z0-9._-]{1,32}$'),
  role text not null check (role in ('auditor', 'operator', 'installer')),
  password_salt bytea not null,
  password_hash bytea not null,
  created_at bigint not null,
  disabled boolean not null default false
);

create table office_session (
  token_digest bytea primary key,
  user_id integer not null references office_user(id) on delete cascade,
  csrf_token bytea not null,
  created_at bigint not null,
  seen_at bigint not null
);
create index office_session_user on office_session (user_id);

-- Failed logins per key ('user:<name>' and 'addr:<address>') in a sliding window.
create table office_login_failure (
  key text not null,
  at bigint not null
);
create index office_login_failure_key on office_login_failure (key, at);

-- Every change made through the page, with who made it. Detail names records by id, never
-- a PIN or a template; residents' units and cards are what the change is about.
create table office_audit (
  id bigint generated always as identity primary key,
  at bigint not null,
  user_id integer,
  username text not null,
  action text not null,
  detail text not null
);
create index office_audit_at on office_audit (at);
create index resident_unit on resident (compound_id, unit, id);
