-- How many resources a rebuild of the index will hand to the backend (its progress).
SELECT count(*) FROM searchable_documents
