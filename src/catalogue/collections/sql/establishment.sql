SELECT uai, name, academie FROM establishments WHERE uai = $1
