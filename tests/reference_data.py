"""Where tests find the public reference files kept in tests/data/ (sources and licences: its README)."""

from pathlib import Path

REFERENCE_DATA = Path(__file__).resolve().parent / "data"
