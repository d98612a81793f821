-- "Ajouter à mes ressources": a teacher ($1) adds a commun ($2); adding it twice is no error.
INSERT INTO commun_selections (person_id, resource_id) VALUES ($1, $2) ON CONFLICT DO NOTHING
