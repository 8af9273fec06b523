"""Incidents: personal data breaches and serious breaches, with their notification clocks (GDPR, EU CTR, HIPAA)."""
