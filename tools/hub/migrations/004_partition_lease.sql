-- Gates are partitioned between hub processes (gate id mod partitions): each partition is
-- leased to one process at a time; a lease that is not renewed expires and another takes it.
create table partition_lease (
  partition integer primary key,
  holder text not null,
  expires_at bigint not null
);

-- Hub processes alive (renewed every tick): the fair share of partitions is counted from these.
create table hub_presence (
  holder text primary key,
  expires_at bigint not null
);
