"""Models of the statements app."""
