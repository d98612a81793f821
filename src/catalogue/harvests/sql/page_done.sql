-- After each page: the counts so far, and the token to resume from if the run is cut short.
WITH run AS (
    UPDATE harvest_runs SET pages = pages + 1, created = $2, updated = $3, unchanged = $4,
                            withdrawn = $5, rejected = $6, problems = $7, warnings = $10,
                            warning_count = $11
    WHERE id = $1
    RETURNING source_id
)
UPDATE harvest_sources SET resume_token = $8, metadata_prefix = $9
WHERE id = (SELECT source_id FROM run)
