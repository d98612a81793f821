SELECT uri, scheme, label, alt_labels, broader, ancestors, replaced_by, deprecated
FROM vocabulary_concepts
