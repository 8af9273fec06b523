"""Regulatory rules with no I/O: submissions, continuing review, enrollment blocks, checklists."""
