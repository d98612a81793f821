"""Imports: a connector reads a document, each record is saved on its own, a report is kept."""
