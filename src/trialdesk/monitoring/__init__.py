"""Monitoring and risk-based quality management: plans, visits, reports, findings, action items, issues,
risks, quality tolerance limits, signals from the KRIs, and the carbon cost of monitoring travel."""
