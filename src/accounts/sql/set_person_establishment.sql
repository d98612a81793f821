UPDATE people SET establishment_uai = $2, academie = $3 WHERE id = $1
