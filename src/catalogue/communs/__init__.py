"""Communs numériques: resources teachers publish under an open licence, adapt and report."""
