"""Keeping children safe while they complain: danger-now help and noticing risk in words."""
