"""The OAI-PMH 2.0 provider: the catalogue's published resources for harvesters."""
