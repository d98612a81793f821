-- A person's acquisitions waiting for approval, oldest first ($1 person id).
SELECT id FROM acquisitions
WHERE person_id = $1 AND status = 'pending_approval'
ORDER BY created_at, id
