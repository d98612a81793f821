INSERT INTO establishments (uai, name, academie)
VALUES ($1, $1, coalesce($2, 'inconnue'))
ON CONFLICT (uai) DO NOTHING
