"""Models: see the module docstrings of this app."""
