"""Records of the people app."""
