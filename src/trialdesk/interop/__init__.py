"""File formats parsed to and emitted from plain dataclasses (no database)."""
