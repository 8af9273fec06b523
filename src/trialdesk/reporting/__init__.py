"""Stakeholder reports: the study status report and the portfolio report, as pages and PDFs, with charts."""
