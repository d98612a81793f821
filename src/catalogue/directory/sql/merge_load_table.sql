-- The loaded rows merged into the directory: new establishments created, changed ones
-- updated (an establishment first met at a sign-in gets its name and place here); the
-- others are left as they are. Counts what changed.
WITH merged AS (
    INSERT INTO establishments AS e (
        uai, name, academie, academie_code, kind, sector, postal_code, commune, departement,
        region, state, search_text, listed_at)
    SELECT uai, name, academie, academie_code, kind, sector, postal_code, commune,
           departement, region, state, search_text, now()
    FROM directory_load
    ON CONFLICT (uai) DO UPDATE SET
        name = excluded.name, academie = excluded.academie,
        academie_code = excluded.academie_code, kind = excluded.kind,
        sector = excluded.sector, postal_code = excluded.postal_code,
        commune = excluded.commune, departement = excluded.departement,
        region = excluded.region, state = excluded.state, search_text = excluded.search_text,
        listed_at = excluded.listed_at
    WHERE (e.name, e.academie, e.academie_code, e.kind, e.sector, e.postal_code, e.commune,
           e.departement, e.region, e.state, e.listed_at IS NULL)
          IS DISTINCT FROM
          (excluded.name, excluded.academie, excluded.academie_code, excluded.kind,
           excluded.sector, excluded.postal_code, excluded.commune, excluded.departement,
           excluded.region, excluded.state, false)
    RETURNING (xmax = 0) AS created, state
)
SELECT count(*) FILTER (WHERE created) AS created,
       count(*) FILTER (WHERE NOT created) AS updated,
       count(*) FILTER (WHERE state = 'closed') AS closed
FROM merged
