-- No Group stands for this establishment any more (DELETE, or the Group took another UAI).
-- The establishment stays (its accounts, its people).
UPDATE establishments
SET scim_id = NULL, scim_created_at = NULL, scim_external_id = NULL, scim_display_name = NULL,
    scim_updated_at = now()
WHERE uai = $1 AND scim_created_at IS NOT NULL
RETURNING uai
