"""The GAR (gestionnaire d'accès aux ressources): subscription bodies and their transport.

Used by the compte ressource (a licence becomes a subscription) and by the worker (which
sends it); imports nothing of either.
"""
