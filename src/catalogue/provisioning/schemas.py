"""The SCIM description of the service: what is kept of a User and a Group, and nothing else.

A User's ``id`` is the person's pseudonym for the calling platform
(``identity.secrets.platform_pseudonym``): platforms never see our internal ids, and an ENT
asks for a teacher's médiacentre by that id. A User keeps its userName, externalId, name,
displayName, one e-mail (notifications), its roles (teacher or establishment_admin: SCIM
never grants another one), its active state and, in the Enterprise extension, its
establishment's UAI (``organization``). A Group is an establishment: its UAI (our
extension), its name and its members. Any other attribute is unknown to the schemas
published at /Schemas, so a client sending one is refused rather than having it dropped.
"""

from __future__ import annotations

import copy
from typing import Any

from scim2_models import (
    AuthenticationScheme,
    ResourceType,
    Schema,
    ScimProvider,
    ServiceProviderConfig,
)
from scim2_server.utils import load_json_resource

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
# Our own extension: a Group's UAI.
ESTABLISHMENT = "urn:ietf:params:scim:schemas:extension:catalogue:2.0:Establishment"

SCIM_ROLES = ("teacher", "establishment_admin")
MAX_RESULTS = 200

# Attribute name -> the sub-attributes kept (None: a simple attribute).
_KEPT: dict[str, dict[str, tuple[str, ...] | None]] = {
    USER: {
        "userName": None,
        "name": ("formatted", "familyName", "givenName"),
        "displayName": None,
        "active": None,
        "emails": ("value",),
        "roles": ("value",),
    },
    GROUP: {"displayName": None, "members": ("value", "$ref", "type")},
    ENTERPRISE: {"organization": None},
}


def _trimmed(schema: dict[str, Any]) -> dict[str, Any]:
    kept = _KEPT[schema["id"]]
    schema = copy.deepcopy(schema)
    attributes = []
    for attribute in schema["attributes"]:
        if attribute["name"] not in kept:
            continue
        subs = kept[attribute["name"]]
        if subs is not None:
            attribute["subAttributes"] = [
                s for s in attribute["subAttributes"] if s["name"] in subs
            ]
        attributes.append(attribute)
    schema["attributes"] = attributes
    return schema


def _tune(schemas: dict[str, dict[str, Any]]) -> None:
    user = {a["name"]: a for a in schemas[USER]["attributes"]}
    user["roles"]["subAttributes"][0]["canonicalValues"] = list(SCIM_ROLES)
    user["emails"]["description"] = "The person's e-mail address (one), for notifications."
    organization = schemas[ENTERPRISE]["attributes"][0]
    organization["description"] = "The UAI of the person's establishment (e.g. 0754321K)."
    group = {a["name"]: a for a in schemas[GROUP]["attributes"]}
    group["displayName"]["required"] = True
    members = {s["name"]: s for s in group["members"]["subAttributes"]}
    members["$ref"]["referenceTypes"] = ["User"]
    members["type"]["canonicalValues"] = ["User"]


_OWN_SCHEMAS: list[dict[str, Any]] = [
    {
        "id": ESTABLISHMENT,
        "name": "Establishment",
        "description": "An establishment of the French school system.",
        "attributes": [
            {
                "name": "uai",
                "type": "string",
                "multiValued": False,
                "description": "The establishment's UAI: 7 digits and its check letter. "
                "Another UAI moves the Group, and the members it names, to that establishment.",
                "required": True,
                "caseExact": False,
                "mutability": "readWrite",
                "returned": "default",
                "uniqueness": "server",
            }
        ],
    },
]


def schema_documents() -> list[dict[str, Any]]:
    """The schemas the service publishes (as JSON documents)."""
    defaults = {s["id"]: s for s in load_json_resource("default-schemas.json")}
    schemas = {urn: _trimmed(defaults[urn]) for urn in (USER, GROUP, ENTERPRISE)}
    _tune(schemas)
    return [*schemas.values(), *copy.deepcopy(_OWN_SCHEMAS)]


def resource_type_documents() -> list[dict[str, Any]]:
    return [
        {
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "A person: teacher or establishment administrator",
            "schema": USER,
            "schemaExtensions": [
                {"schema": ENTERPRISE, "required": False},
            ],
        },
        {
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "An establishment (its UAI) and its people",
            "schema": GROUP,
            "schemaExtensions": [{"schema": ESTABLISHMENT, "required": True}],
        },
    ]


def service_config() -> ServiceProviderConfig:
    return ServiceProviderConfig.model_validate(
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": MAX_RESULTS},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": True},
            "authenticationSchemes": [
                {
                    "type": AuthenticationScheme.Type.oauthbearertoken.value,
                    "name": "OAuth Bearer Token",
                    "description": "A client-credentials token of a platform client with the "
                    "scope scim:write (POST /oauth/token).",
                }
            ],
        }
    )


def provider(schemas: list[dict[str, Any]] | None = None) -> ScimProvider:
    """The service's description; tests may hand in the schemas with example values."""
    return ScimProvider.from_discovery(
        [Schema.model_validate(s) for s in schemas or schema_documents()],
        [ResourceType.model_validate(r) for r in resource_type_documents()],
        config=service_config(),
    )
