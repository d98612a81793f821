-- A file of the same name is replaced: the old row's storage key is returned to be deleted.
WITH old AS (
    DELETE FROM commun_files WHERE resource_id = $1 AND name = $2 RETURNING storage_key
)
INSERT INTO commun_files (resource_id, name, media_type, size, sha256, storage_key)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id, name, media_type, size, sha256, created_at,
          (SELECT storage_key FROM old) AS replaced_key
