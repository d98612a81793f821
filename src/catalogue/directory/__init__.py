"""The directory: establishments from the national open data."""
