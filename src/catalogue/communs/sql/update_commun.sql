UPDATE communs
SET show_name = $2, licence = $3, state = $4, version = $5, establishment_uai = $6,
    academie = $7, updated_at = now()
WHERE resource_id = $1
