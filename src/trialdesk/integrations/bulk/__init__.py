"""Spreadsheets: institutions and a study's sites imported from .xlsx or .csv, and the Excel exports."""
