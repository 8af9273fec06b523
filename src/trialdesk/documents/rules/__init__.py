"""Pure rules of the essential documents: which documents a study needs, filing checks, expiry, file types."""
