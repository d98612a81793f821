SELECT EXISTS (SELECT 1 FROM establishments WHERE academie = $1)
