"""Randomization: schemes, concealed allocation of enrolled participants, and emergency unblinding."""
