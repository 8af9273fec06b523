"""Exchanging data with the registry, EDCs and spreadsheets: imports, exports, registry compliance."""
