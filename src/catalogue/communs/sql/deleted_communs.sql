-- The author's communs an administrator deleted: the decision outlives them.
SELECT resource_id AS id, title, 'deleted' AS state, 0 AS version, created_at AS updated_at,
       action AS decision, reason AS decision_reason
FROM commun_decisions
WHERE author_id = $1 AND action = 'delete'
ORDER BY id DESC
LIMIT $2
