SELECT id, publisher_id, client_id, deployment_id, name, initiate_login_uri, redirect_uris,
       jwks_uri, jwks, target_link_uri, custom
FROM lti_tools WHERE client_id = $1
