"""The independent SCIM checker (scim2-tester) against a real `catalogue serve --demo`, through
a platform client holding scim:write: every check it runs passes.

The checker fills attributes with random values, or with the examples the schemas give. A UAI
is no random string (its check letter), so the client's copy of our schemas gives it valid
UAIs as examples: those of the demo's establishments for a person, fresh ones for a Group.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import ResourceType, Schema, ScimProvider, ServiceProviderConfig
from scim2_tester import Status, check_server

from catalogue.identity.uai import check_letter
from tests.support.demo_server import Server, catalogue_env

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ESTABLISHMENT = "urn:ietf:params:scim:schemas:extension:catalogue:2.0:Establishment"


def _demo_token(server: Server, role: str) -> str:
    env = catalogue_env(
        {"CATALOGUE_DATA_DIR": str(server.log.parent), "CATALOGUE_PORT": str(server.port)}
    )
    done = subprocess.run(
        [sys.executable, "-m", "catalogue", "demo-token", role],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def _scim_token(server: Server) -> str:
    admin = {"Authorization": f"Bearer {_demo_token(server, 'national-admin')}"}
    created = httpx.post(
        f"{server.url}/api/v1/platform-clients",
        json={"name": "Vérificateur SCIM", "scopes": ["scim:write"]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    issued = httpx.post(
        f"{server.url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created.json()["client_id"],
            "client_secret": created.json()["client_secret"],
        },
    )
    assert issued.status_code == 200, issued.text
    token: str = issued.json()["access_token"]
    return token


def _with_examples(schema: dict[str, Any], known_uais: list[str]) -> dict[str, Any]:
    """Our published schema, with valid UAIs as the examples of the attributes holding one."""
    fresh = [f"099{n:04d}{check_letter(f'099{n:04d}')}" for n in range(5000)]
    for attribute in schema["attributes"]:
        if schema["id"] == ENTERPRISE and attribute["name"] == "organization":
            attribute["canonicalValues"] = known_uais
        if schema["id"] == ESTABLISHMENT and attribute["name"] == "uai":
            attribute["canonicalValues"] = fresh
    return schema


def test_scim2_tester_finds_no_failure(tmp_path: Path) -> None:
    # One provisioning client sends every request: the per-caller budget is raised for it,
    # as an operator would for a directory's bulk provisioning.
    env = {
        "CATALOGUE_DATA_DIR": str(tmp_path),
        "CATALOGUE_CALLER_RATE": "100000",
        "CATALOGUE_CALLER_BURST": "100000",
    }
    with Server(tmp_path / "serve.log", "--demo", env=env) as server:
        _check(server)


def _check(server: Server) -> None:
    headers = {"Authorization": f"Bearer {_scim_token(server)}"}
    base = f"{server.url}/scim/v2"
    published = httpx.get(f"{base}/Schemas", headers=headers).json()["Resources"]
    # The demo's establishment: a person's UAI must be one the directory knows.
    teacher = httpx.get(
        f"{server.url}/api/v1/me",
        headers={"Authorization": f"Bearer {_demo_token(server, 'teacher')}"},
    )
    assert teacher.status_code == 200, teacher.text
    known = [teacher.json()["establishment_uai"]]
    types = httpx.get(f"{base}/ResourceTypes", headers=headers).json()["Resources"]
    config = httpx.get(f"{base}/ServiceProviderConfig", headers=headers).json()
    provider = ScimProvider.from_discovery(
        [Schema.model_validate(_with_examples(s, known)) for s in published],
        [ResourceType.model_validate(t) for t in types],
        config=ServiceProviderConfig.model_validate(config),
    )
    with httpx2.Client(base_url=base, headers=headers, timeout=30) as http:
        scim = SyncSCIMClient(http, provider=provider)
        results = check_server(scim)
    failures = [
        f"{r.title}: {r.reason}"
        for r in results
        if r.status not in (Status.SUCCESS, Status.SKIPPED)
    ]
    assert results
    assert failures == [], "\n".join(failures)
