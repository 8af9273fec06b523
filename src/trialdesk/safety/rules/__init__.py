"""Safety reporting rules: pure functions over plain values, no database (see clocks.py for the engine)."""
