"""ClinicalTrials.gov: studies and their sites imported from registry records, and registry compliance
(what the registry says against what Trialdesk holds; FDAAA 801 and EU CTR deadlines)."""
