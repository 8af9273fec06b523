"""Investigational product: products, lots, depots, kits, shipments, dispensing, accountability, forecast."""
