"""CDISC ODM 1.3.2: a study exported as a person may see it, and visit completion imported from an EDC."""
