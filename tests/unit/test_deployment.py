"""docker-compose.yaml fails closed: no secret has a default, ports stay on loopback.

Docker is not needed: the file is read as YAML and its ``${...}`` interpolations
are checked the way compose would expand them. Where ``docker compose`` is
installed, the last tests also ask compose itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import PROJECT_ROOT

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yaml"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
BIND_VARIABLE = "DEFENCE_NEWS_BIND"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ... and bare $NAME.
INTERPOLATION = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_]\w*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}|(?P<bare>[A-Za-z_]\w*))"
)
REQUIRED = re.compile(r"^\$\{(?P<name>[A-Za-z_]\w*):\?(?P<message>[^}]+)\}$")
# Names that hold a credential; *_FILE names hold the path of one, not the secret.
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|FERNET|_KEY$|ROOT_USER|CREDENTIAL")
# Airflow settings that, left at a default, let anyone forge logins or read connections.
AIRFLOW_SECRETS = (
    "AIRFLOW__API_AUTH__JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY",
    "AIRFLOW__CORE__FERNET_KEY",
)
# user:password@ in a URL; a ${...} password may hold spaces in its message.
URL_PASSWORD = re.compile(r"://(?:\$\{[^}]*\}|[^:/@\s]+):(?P<password>\$\{[^}]*\}|[^@\s]*)@")
LOOPBACK_PORT = re.compile(r"\$\{" + BIND_VARIABLE + r":-127\.0\.0\.1\}:\d+:\d+(/tcp|/udp)?")


def looks_secret(name: str) -> bool:
    return bool(SECRET_NAME.search(name.upper())) and not name.upper().endswith("_FILE")


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def strings(node: Any) -> Iterator[str]:
    """Every string in the parsed file: keys, values, list items."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def interpolations(text: str) -> Iterator[re.Match[str]]:
    """Compose's own ``${...}`` references; ``$$`` is a literal dollar for the container."""
    yield from INTERPOLATION.finditer(text.replace("$$", "\0\0"))


def compose_variables() -> set[str]:
    return {
        match["braced"] or match["bare"]
        for text in strings(compose())
        for match in interpolations(text)
    }


def environments() -> Iterator[tuple[str, str, str]]:
    """(service, variable, value) for every environment entry, anchors merged."""
    for service, spec in compose()["services"].items():
        environment = spec.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        for name, value in environment.items():
            yield service, name, str(value)


def env_example() -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            entries[name.strip()] = value.strip()
    return entries


def test_every_secret_reference_is_required_with_a_message() -> None:
    offenders = {
        match.group(0)
        for text in strings(compose())
        for match in interpolations(text)
        if looks_secret(match["braced"] or match["bare"])
        and not (match["op"] == ":?" and match["arg"].strip())
    }
    assert offenders == set(), f"secrets with a default or without ':?message': {offenders}"


def test_no_secret_is_written_in_the_file() -> None:
    offenders = {
        f"{name}={value}"
        for _, name, value in environments()
        if looks_secret(name) and not REQUIRED.match(value)
    }
    offenders |= {
        match.group(0)
        for text in strings(compose())
        for match in URL_PASSWORD.finditer(text)
        if not REQUIRED.match(match["password"])
    }
    assert offenders == set(), f"secrets not taken from a required variable: {offenders}"


def test_container_side_shell_has_no_default_credentials() -> None:
    # "$${MINIO_ROOT_USER:-minioadmin}" is expanded by the container's shell, not by
    # compose: a default there is a default credential all the same.
    offenders = {
        match.group(0)
        for text in strings(compose())
        for match in re.finditer(r"\$\$\{(\w+):?[-=]", text)
        if looks_secret(match[1])
    }
    assert offenders == set(), f"container-side defaults for secrets: {offenders}"


def test_airflow_secrets_are_all_set_from_required_variables() -> None:
    airflow = {name: value for _, name, value in environments() if name.startswith("AIRFLOW")}
    for name in AIRFLOW_SECRETS:
        assert REQUIRED.match(airflow.get(name, "")), f"{name} must be ${{VAR:?message}}"


def test_the_s3_connection_takes_both_minio_credentials_from_required_variables() -> None:
    conn = next(value for _, name, value in environments() if name == "AIRFLOW_CONN_AWS_DEFAULT")
    fields = json.loads(conn)
    assert REQUIRED.match(fields["login"]) and REQUIRED.match(fields["password"])


def test_the_api_server_sets_the_admin_password_from_the_environment(tmp_path: Path) -> None:
    """Run the api-server's command with a stand-in ``airflow``: the login it leaves
    behind is admin / AIRFLOW_ADMIN_PASSWORD, readable by its owner only."""
    api_server = compose()["services"]["airflow-apiserver"]
    assert REQUIRED.match(api_server["environment"]["AIRFLOW_ADMIN_PASSWORD"])
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    (bin_dir / "airflow").write_text('#!/bin/sh\necho "airflow $*"\n')
    (bin_dir / "airflow").chmod(0o755)
    passwords = tmp_path / "passwords.json"
    environment = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "AIRFLOW_ADMIN_PASSWORD": "from-the-env-file",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
    }
    result = subprocess.run(
        api_server["command"], capture_output=True, text=True, env=environment, check=True
    )
    assert result.stdout == "airflow api-server\n"
    assert json.loads(passwords.read_text()) == {"admin": "from-the-env-file"}
    assert passwords.stat().st_mode & 0o777 == 0o600


def published_ports() -> Iterator[tuple[str, Any]]:
    for service, spec in compose()["services"].items():
        for port in spec.get("ports") or []:
            yield service, port


def test_every_published_port_is_bound_to_the_bind_variable_defaulting_to_loopback() -> None:
    ports = list(published_ports())
    assert ports, "the API server and MinIO publish ports"
    for service, port in ports:
        if isinstance(port, dict):  # long syntax: host_ip is its own field
            bound = port.get("host_ip") == f"${{{BIND_VARIABLE}:-127.0.0.1}}"
        else:
            bound = bool(LOOPBACK_PORT.fullmatch(str(port)))
        assert bound, f"{service} publishes {port!r} beyond loopback"


def test_env_example_lists_exactly_the_variables_compose_uses() -> None:
    assert set(env_example()) == compose_variables()


def test_env_example_leaves_every_secret_empty_so_an_unfilled_copy_refuses_to_start() -> None:
    entries = env_example()
    assert {name: value for name, value in entries.items() if looks_secret(name) and value} == {}
    assert entries[BIND_VARIABLE] == "127.0.0.1"


def comments_above(name: str) -> str:
    """The comment lines directly above ``name=`` in .env.example."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{name}="))
    comment: list[str] = []
    while index > 0 and lines[index - 1].startswith("#"):
        index -= 1
        comment.insert(0, lines[index])
    return "\n".join(comment)


def test_env_example_explains_every_variable_and_how_to_generate_each_secret() -> None:
    for name in env_example():
        comment = comments_above(name)
        assert comment, f"{name} has no explanation"
        if looks_secret(name):
            assert 'python -c "' in comment, f"{name}: no command to generate it"


def test_dot_env_is_ignored_by_git_and_the_example_is_not() -> None:
    patterns = [line.strip() for line in (PROJECT_ROOT / ".gitignore").read_text().splitlines()]
    assert ".env" in patterns or "/.env" in patterns
    assert ".env.example" not in patterns and "/.env.example" not in patterns


# --- compose itself, where it is installed ---------------------------------------------


def docker_compose() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def run_config(env_file: Path) -> subprocess.CompletedProcess[str]:
    command = docker_compose()
    if command is None:
        pytest.skip("docker compose is not installed; the file is checked as YAML above")
    # Only the env file speaks: no shell exports, no .env the developer may have.
    environment = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    return subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "--env-file", str(env_file), "config"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=PROJECT_ROOT,
    )


def test_compose_refuses_to_start_from_the_unfilled_example() -> None:
    result = run_config(ENV_EXAMPLE)
    assert result.returncode != 0
    assert "required variable" in result.stderr and ".env" in result.stderr


def test_compose_accepts_a_filled_env_and_publishes_on_loopback(tmp_path: Path) -> None:
    filled = {
        name: value or f"generated-{name.lower()}-0123456789"
        for name, value in env_example().items()
    }
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in filled.items()))
    result = run_config(env_file)
    assert result.returncode == 0, result.stderr
    assert "host_ip: 127.0.0.1" in result.stdout
    assert "0.0.0.0" not in result.stdout
