-- The moderation decisions a person (an administrator) took, for their download: the commun,
-- never its author.
SELECT id, resource_id, title, action, reason, created_at
FROM commun_decisions
WHERE decided_by = $1
ORDER BY id
