-- LTI 1.3: the catalogue is the platform, publishers' tools are launched under pseudonyms.

-- A publisher's tool, registered through the API or by LTI Dynamic Registration. Its keys
-- come from its JWKS URL (fetched, cached) or are given inline.
CREATE TABLE lti_tools (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    publisher_id       uuid NOT NULL REFERENCES publishers (id),
    client_id          text NOT NULL UNIQUE,
    deployment_id      text NOT NULL UNIQUE,
    name               text NOT NULL,
    initiate_login_uri text NOT NULL,
    redirect_uris      text[] NOT NULL CHECK (cardinality(redirect_uris) > 0),
    jwks_uri           text,
    jwks               jsonb,
    target_link_uri    text NOT NULL,
    custom             jsonb NOT NULL DEFAULT '{}',
    registered_by      text NOT NULL CHECK (registered_by IN ('api', 'dynamic')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (jwks_uri IS NOT NULL OR jwks IS NOT NULL)
);
CREATE INDEX lti_tools_publisher ON lti_tools (publisher_id);

-- The resource a tool's offering became in the catalogue (through the lti connector).
ALTER TABLE resources ADD COLUMN lti_tool_id uuid REFERENCES lti_tools (id);

-- A Dynamic Registration in progress: the token the tool must present, once.
CREATE TABLE lti_registration_tokens (
    token_hash   bytea PRIMARY KEY,
    publisher_id uuid NOT NULL REFERENCES publishers (id),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz
);

-- One launch started by a teacher: what the tool's authentication request must match.
CREATE TABLE lti_launches (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    person_id     uuid NOT NULL REFERENCES people (id),
    tool_id       uuid NOT NULL REFERENCES lti_tools (id),
    resource_id   uuid NOT NULL REFERENCES resources (id),
    link_id       uuid,
    message_type  text NOT NULL CHECK (message_type IN ('LtiResourceLinkRequest',
                                                        'LtiDeepLinkingRequest')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    authorized_at timestamptz,
    returned_at   timestamptz
);

-- Nonces the tools sent, each accepted once.
CREATE TABLE lti_nonces (
    client_id text NOT NULL,
    nonce     text NOT NULL,
    used_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, nonce)
);

-- Content a teacher picked inside a tool (Deep Linking), launched later like a resource.
CREATE TABLE lti_links (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    person_id   uuid NOT NULL REFERENCES people (id),
    tool_id     uuid NOT NULL REFERENCES lti_tools (id),
    resource_id uuid NOT NULL REFERENCES resources (id),
    kind        text NOT NULL,
    title       text NOT NULL DEFAULT '',
    url         text,
    custom      jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lti_links_person ON lti_links (person_id);
