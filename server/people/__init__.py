"""People of the center: staff accounts and API tokens."""
