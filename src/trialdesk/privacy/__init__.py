"""Data protection: records of processing and transfers, retention and purge, data-subject requests, identifier scanning."""
