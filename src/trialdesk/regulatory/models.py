"""Records of the regulatory app."""
