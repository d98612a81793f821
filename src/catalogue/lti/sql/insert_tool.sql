INSERT INTO lti_tools (publisher_id, client_id, deployment_id, name, initiate_login_uri,
                       redirect_uris, jwks_uri, jwks, target_link_uri, custom, registered_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
RETURNING id
