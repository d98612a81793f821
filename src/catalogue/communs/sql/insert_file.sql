-- A file of the current version ($7). Its storage key is the caller's to delete if the insert
-- fails; a file of the same name is closed first (close_file or replace_file).
INSERT INTO commun_files (resource_id, name, media_type, size, sha256, storage_key,
                          first_version)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id, name, media_type, size, sha256, created_at
