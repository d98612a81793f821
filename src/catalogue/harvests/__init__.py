"""OAI-PMH harvests: sources declared by publishers, runs by the worker."""
