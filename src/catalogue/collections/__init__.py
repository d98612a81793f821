"""Collections: lists of published resources, private, shared by link or public."""
