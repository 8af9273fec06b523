"""Stakeholder reports: the study status report and the portfolio report, as a page and as PDF, with their charts."""
