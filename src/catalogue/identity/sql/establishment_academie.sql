SELECT academie FROM establishments WHERE uai = $1
