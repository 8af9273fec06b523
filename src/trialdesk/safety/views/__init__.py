"""Pages of the safety app: record an AE and its follow-ups, its obligations, mark a report submitted, the
line listing, the obligations board, CTCAE suggestions, and the private calendar feed."""
