"""Catalogue interopérable de ressources numériques éducatives: the platform package."""

__version__ = "0.1.0"
