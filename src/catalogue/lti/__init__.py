"""LTI 1.3: the catalogue as a platform launching publishers' tools under pseudonyms."""
