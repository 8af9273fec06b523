"""Records of the integrations app."""
