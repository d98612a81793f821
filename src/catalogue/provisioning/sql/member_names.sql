SELECT id, display_name FROM people WHERE id = ANY ($1::uuid[])
