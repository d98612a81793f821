SELECT uai, name, academie, state FROM establishments WHERE uai = $1
