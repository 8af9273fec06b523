"""Site staff: training records, the delegation of authority log, financial disclosures."""
