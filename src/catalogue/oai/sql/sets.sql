SELECT id, name FROM publishers WHERE status = 'approved' ORDER BY name
