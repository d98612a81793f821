"""Signed webhooks to publishers: events written with the money, delivered by the worker."""
