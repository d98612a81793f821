SELECT envelope_on_move FROM acquisition_rules WHERE scope_kind = 'academie' AND scope = $1
