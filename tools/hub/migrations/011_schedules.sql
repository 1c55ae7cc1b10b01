-- Access groups of a compound and their weekly segments, and its holidays (docs/sync.md,
-- "Groups, schedules and holidays"). A change to either becomes the next version of every
-- gate of the compound it concerns (set-schedule / set-holidays), in the same transaction.
create table access_group (
  compound_id integer not null references compound(id),
  -- The residents' and gates' group bit; bit 0 is the gates' default group and is named "all".
  bit smallint not null check (bit between 0 and 31),
  name text not null,
  -- Segments "HH:MM-HH:MM" per day, comma-separated; days Monday first, then the holiday, joined by "|".
  segments text not null,
  updated_at bigint not null,
  primary key (compound_id, bit),
  unique (compound_id, name)
);

create table holiday (
  compound_id integer not null references compound(id),
  -- A local calendar day: days since 1970-01-01.
  day integer not null check (day between 0 and 65535),
  name text not null,
  primary key (compound_id, day)
);
