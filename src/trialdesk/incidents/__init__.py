"""Incidents: personal data breaches and serious breaches, with their notification clocks
(GDPR, UK GDPR, EU CTR, HIPAA)."""
