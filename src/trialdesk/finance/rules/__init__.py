"""Finance rules with no I/O: money and currencies, what work earns, exchange rates, forecasts and health."""
