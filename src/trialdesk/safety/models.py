"""Records of the safety app."""
