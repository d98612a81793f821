INSERT INTO establishments (uai, name, academie)
VALUES ($1, $2, $3)
ON CONFLICT (uai) DO NOTHING
