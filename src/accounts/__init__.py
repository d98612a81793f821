"""Compte ressource: budget periods, envelopes, ledger, acquisitions and licences."""
