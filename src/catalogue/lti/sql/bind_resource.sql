UPDATE resources SET lti_tool_id = $2 WHERE id = $1
