"""Demo data for `make run`: logins, windows and cases; orchestrates the catalogue demo."""
