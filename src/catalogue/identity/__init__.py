"""Identity and access: people, roles and scopes, tokens, platform keys, pseudonyms."""
