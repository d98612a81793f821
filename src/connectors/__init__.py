"""Connectors: the contract for bringing outside catalogues in, and the built-in ones."""
