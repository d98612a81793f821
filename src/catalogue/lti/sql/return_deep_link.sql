-- A deep-linking launch this tool was given, answered once.
UPDATE lti_launches SET returned_at = now()
WHERE id = $1 AND tool_id = $2 AND message_type = 'LtiDeepLinkingRequest'
  AND authorized_at IS NOT NULL AND returned_at IS NULL
  AND created_at > now() - interval '1 hour'
RETURNING person_id, resource_id
