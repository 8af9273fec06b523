"""Eligibility criteria and pre-screening candidates as plain data (issue 18): the rule format of
`trialdesk eligibility parse`, criteria text split into items with suggested rules, and candidates read
from FHIR R4 Bundles or the CSV template. No Django, no database: recruitment's services store them."""
