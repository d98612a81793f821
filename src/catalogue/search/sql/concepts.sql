-- Every concept's label and ancestors, for the Tantivy backend's lexicon
-- (search/tantivy_concepts.py); the columns of its Concept Struct, in order.
SELECT uri, scheme, label, ancestors FROM vocabulary_concepts
