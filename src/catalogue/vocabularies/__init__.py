"""ScoLOMFR vocabularies: concept URIs, French labels, hierarchy, deprecations."""
