"""Feasibility and site selection: questionnaires, scoring, confidentiality agreements, decisions."""
