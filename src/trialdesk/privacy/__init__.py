"""Data protection (issue 20): records of processing and transfers, retention and purge, data-subject
requests, and identifiers caught in free text."""
