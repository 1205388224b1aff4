"""Flow 6, product recalls (see `flow`)."""
