"""Records of the documents app."""
