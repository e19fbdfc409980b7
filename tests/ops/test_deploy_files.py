"""Dockerfile, compose.yaml and the operations scripts. No container runtime runs here or in CI,
so the files are read, not run: what they name must exist and agree with the project."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, clean_env

LOCAL_APPS = ["partnerskap", "tiltak", "hoering", "rapportering"]
BASE_IMAGE = "python:3.11-slim-bookworm"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    logical, current = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.lstrip().startswith("#"):
            continue
        current += line.rstrip("\\").strip() + " "
        if not line.rstrip().endswith("\\"):
            logical.append(current.strip())
            current = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1]) for text in logical]


def _dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _setup_system_packages() -> list[str]:
    text = (ROOT / "scripts/setup-system.sh").read_text()
    block = re.search(r"PACKAGES=\((.*?)\n\)", text, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]


def test_dockerfile_builds_from_bookworm_python_311():
    froms = [args.split()[0] for name, args in _instructions() if name == "FROM"]
    assert froms == [BASE_IMAGE, BASE_IMAGE]


def test_dockerfile_copies_only_what_exists_and_everything_the_app_needs():
    copied = []
    for name, args in _instructions():
        if name != "COPY" or args.startswith("--from"):
            continue
        *sources, _dest = shlex.split(args)
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: no such file in the project"
            first = source.rstrip("/").split("/")[0]
            assert first not in _dockerignore(), f"COPY {source}: excluded by .dockerignore"
            copied.append(source.rstrip("/"))
    needed = [*LOCAL_APPS, "templates", "static", "locale", "fixtures", "manage.py"]
    assert set(needed) | {"gunicorn.conf.py", "requirements.lock", "pyproject.toml"} <= set(copied)
    for script in ("scripts/backup.sh", "scripts/restore.sh", "scripts/serve.sh"):
        assert script in copied


def test_dockerfile_installs_the_runtime_system_packages():
    (install,) = [a for n, a in _instructions() if n == "RUN" and "apt-get install" in a]
    packages = set(install.split("--no-install-recommends", 1)[1].split("&&")[0].split())
    assert {"libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"} <= packages
    fonts = {package for package in _setup_system_packages() if package.startswith("fonts-")}
    assert fonts and fonts <= packages, "the PDF fonts of scripts/setup-system.sh"
    # pg_dump must be at least the server's version (compose.yaml's db image).
    db_major = _compose()["services"]["db"]["image"].split(":")[1].split("-")[0]
    assert f"postgresql-client-{db_major}" in packages
    # Test-only tools stay out of the image.
    assert not packages & {"chromium", "poppler-utils", "gettext"}


def test_dockerfile_runs_gunicorn_as_a_non_root_user():
    instructions = _instructions()
    names = [name for name, _args in instructions]
    user = [args for name, args in instructions if name == "USER"]
    assert user == ["portal"]
    assert names.index("USER") < names.index("CMD")
    (cmd,) = [args for name, args in instructions if name == "CMD"]
    assert json.loads(cmd) == ["gunicorn", "-c", "/app/gunicorn.conf.py"]
    (healthcheck,) = [args for name, args in instructions if name == "HEALTHCHECK"]
    assert "http://127.0.0.1:8000/healthz" in healthcheck
    # The pinned uv the build installs is in the lock file.
    assert re.search(r"^uv==", (ROOT / "requirements.lock").read_text(), re.M)


def test_dockerignore_keeps_local_state_and_secrets_out():
    assert {".git", ".venv", "var", "staticfiles"} <= set(_dockerignore())


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_defines_app_worker_postgresql_and_redis():
    compose = _compose()
    services = compose["services"]
    assert set(services) == {"migrate", "web", "worker", "scheduler", "db", "redis"}
    for name in ("migrate", "web", "worker", "scheduler"):
        assert services[name]["build"] == "."
        assert services[name]["image"] == "partnerskapsportalen:latest"
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:")
    command = " ".join(services["migrate"]["command"])
    assert "python manage.py migrate --noinput" in command
    assert "python manage.py createcachetable" in command  # the shared cache and throttle
    assert services["web"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    # The task worker (django-tasks' database backend) and the periodic jobs start with `up`.
    assert "profiles" not in services["worker"]
    assert services["worker"]["command"][:3] == ["python", "manage.py", "db_worker"]
    assert "python manage.py periodic" in " ".join(services["scheduler"]["command"])
    for name in ("worker", "scheduler"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert services["web"]["environment"]["TASKS_BACKEND"] == "database"
    assert "command" not in services["web"]  # the image's CMD: gunicorn
    # The app publishes to the host's loopback only; the TLS proxy is in front.
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]
    grace = int(services["web"]["stop_grace_period"].rstrip("s"))
    assert grace > 30, "longer than gunicorn's graceful_timeout"


def test_compose_environment_names_settings_that_exist():
    environment = _compose()["services"]["web"]["environment"]
    sources = (ROOT / "partnerskap/settings.py").read_text() + (
        ROOT / "gunicorn.conf.py"
    ).read_text()
    # REDIS_URL is read by the cache setting that comes with the login throttle.
    unread = {name for name in environment if f'"{name}"' not in sources} - {"REDIS_URL"}
    assert not unread, f"compose.yaml sets variables nothing reads: {sorted(unread)}"
    assert environment["ALLOWED_HOSTS"].endswith(",127.0.0.1"), "for the HEALTHCHECK"


def test_compose_trusts_the_gateway_of_its_network():
    compose = _compose()
    trusted = compose["services"]["web"]["environment"]["TRUSTED_PROXY_IPS"]
    (network,) = compose["networks"]["portal"]["ipam"]["config"]
    assert trusted == "${TRUSTED_PROXY_IPS:-172.30.80.1}"
    assert network["gateway"] == "${PORTAL_GATEWAY:-172.30.80.1}"


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "scripts").glob("*.sh")))
def test_shell_scripts_parse_and_are_executable(script):
    path = ROOT / "scripts" / script
    subprocess.run(["bash", "-n", str(path)], check=True, timeout=30)
    if script in {"serve.sh", "backup.sh", "restore.sh"}:
        assert path.stat().st_mode & 0o111


@pytest.mark.parametrize("script", ["backup.sh", "restore.sh"])
def test_backup_scripts_refuse_a_database_that_is_not_postgresql(script, tmp_path):
    result = subprocess.run(
        ["bash", f"scripts/{script}", str(tmp_path)],
        cwd=ROOT,
        env=clean_env(DATABASE_URL="sqlite:///var/portal.sqlite3"),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "postgres://" in result.stderr
    assert list(Path(tmp_path).iterdir()) == []
