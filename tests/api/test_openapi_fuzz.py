"""schemathesis against our own OpenAPI: every operation, requests generated from the
schema, sent to a running `catalogue serve --demo` as a teacher, a publisher and a national
administrator, and anonymously with every HTTP method. Nothing may answer 5xx, and every
answer must match the document: its status code, its content type and its body's schema."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.demo_server import DemoServer, catalogue_env

ROLES = ("teacher", "publisher", "national-admin")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
PROBLEM = "application/problem+json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _token(server: DemoServer, role: str) -> str:
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


@pytest.fixture(scope="module")
def headers(server: DemoServer) -> dict[str, dict[str, str]]:
    return {role: {"Authorization": f"Bearer {_token(server, role)}"} for role in ROLES}


@pytest.fixture(scope="module")
def api_schema(server: DemoServer) -> Any:
    return schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")


def test_every_answer_matches_our_openapi(
    api_schema: Any, headers: dict[str, dict[str, str]]
) -> None:
    sent = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
        def requests(case: Any) -> None:
            nonlocal sent
            for auth in headers.values():
                sent += 1
                response = case.call(headers=auth)
                # Raises with the failed check and the request to replay (curl).
                case.validate_response(response, checks=CHECKS, headers=auth)

        requests()
    assert sent > 1000  # every operation, several times, as each role


def test_anonymous_callers_get_problems_never_a_server_error(
    api_schema: Any, server: DemoServer
) -> None:
    """Without credentials, the documented operations answer as documented (a 401 or 403
    problem where a sign-in is needed), and every other method on their paths is a problem
    too (404, 405) or Litestar's OPTIONS answer (204): never a 5xx."""
    sent = 0
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for result in api_schema.get_all_operations():
            operation = result.ok()

            @given(case=operation.as_strategy())
            @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
            def requests(case: Any) -> None:
                nonlocal sent
                response = case.call()
                case.validate_response(response, checks=CHECKS)
                for method in METHODS:
                    answer = http.request(method, case.formatted_path)
                    sent += 1
                    where = f"{method} {case.formatted_path}: {answer.status_code}"
                    assert answer.status_code < 500, f"{where} {answer.text[:300]}"
                    if answer.status_code >= 400:
                        assert answer.headers["content-type"].startswith(PROBLEM), where

            requests()
    assert sent > 1000  # every operation, every method, several times
