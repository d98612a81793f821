SELECT min(updated_at) FROM resources
