"""The GAR (gestionnaire d'accès aux ressources): subscription bodies, their transport, the
outbox they are written to with the money and its delivery, log and replays.

Used by the compte ressource (a licence becomes a subscription) and by the worker (which
sends it); imports nothing of either.
"""
