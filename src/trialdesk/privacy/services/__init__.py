"""The privacy app's writes: the register's entries, legal holds, data-subject requests, and the purge."""
