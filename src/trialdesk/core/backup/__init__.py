"""Backup and restore of an installation: the database, the uploaded documents and a signed manifest in
one archive (`trialdesk backup -o FILE`, `trialdesk restore FILE`).

- `databases`: a consistent copy of the database while others write (SQLite's online backup API;
  `pg_dump` under an exported snapshot on PostgreSQL) and putting one back;
- `archive`: the manifest (counts per table, the audit head, a checksum per member, an anchor), the
  archive itself, and reading it back member by member against the manifest;
- `services`: the two operations, as the commands run them.
"""
