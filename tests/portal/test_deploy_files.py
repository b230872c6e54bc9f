"""The Dockerfile and docker-compose.yml, checked without a container engine.

The Dockerfile's Django build steps run here the way the image runs them: in a copy of the build
context (what `.dockerignore` lets through, so no `.env`), with only the Dockerfile's ENV and the
RUN line's own variables. docker-compose.yml is read with PyYAML (merge keys resolved as compose does).
"""

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mae_portal.healthcheck import healthcheck_host

BASE_DIR = Path(__file__).resolve().parents[2]
PORTAL_SERVICES = ("web", "worker", "worker-email", "beat")


def _instructions(dockerfile: Path):
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    logical, pending = [], ""
    for line in dockerfile.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    for line in logical:
        instruction, _, arguments = line.strip().partition(" ")
        yield instruction.upper(), arguments.strip()


def _image_environment(instructions) -> dict:
    env = {}
    for instruction, arguments in instructions:
        if instruction in ("ENV", "ARG"):
            for pair in shlex.split(arguments):
                if "=" in pair:
                    key, _, value = pair.partition("=")
                    env[key] = value
    return env


def _build_context_copy(target: Path) -> Path:
    ignored = {line.strip().strip("/") for line in (BASE_DIR / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert ".env" in ignored, ".env must never be copied into the image"

    def ignore(directory, names):
        at_root = Path(directory) == BASE_DIR
        return [name for name in names if name == "__pycache__" or (at_root and name in ignored)]

    return Path(shutil.copytree(BASE_DIR, target / "app", ignore=ignore))


def test_the_dockerfiles_django_build_steps_succeed(tmp_path):
    instructions = list(_instructions(BASE_DIR / "Dockerfile"))
    django_steps = [arguments for instruction, arguments in instructions
                    if instruction == "RUN" and "manage.py" in arguments]
    commands = " ".join(django_steps)
    assert "collectstatic" in commands and "manage.py check" in commands, django_steps
    app = _build_context_copy(tmp_path)
    venv_bin = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8",
        **_image_environment(instructions),
    }
    assert env.get("DJANGO_SETTINGS_MODULE") == "mae_portal.settings"
    for step in django_steps:
        result = subprocess.run(["sh", "-c", step], cwd=app, env=env, capture_output=True, text=True,
                                timeout=300, check=False)
        assert result.returncode == 0, f"{step}\n{result.stdout}\n{result.stderr}"
    assert (app / "staticfiles" / "staticfiles.json").exists()  # whitenoise's manifest: DEBUG was off


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


@pytest.mark.parametrize("service", PORTAL_SERVICES)
def test_portal_services_wait_for_the_database_redis_and_the_migration(compose, service):
    assert compose["services"][service]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }


def test_the_migration_waits_for_the_database(compose):
    assert compose["services"]["migrate"]["depends_on"]["db"] == {"condition": "service_healthy"}


def test_published_ports_are_bound_to_loopback(compose):
    published = [port for service in compose["services"].values() for port in service.get("ports", [])]
    assert published == ["127.0.0.1:8000:8000"]


def test_every_variable_the_compose_file_uses_is_in_env_example():
    text = (BASE_DIR / "docker-compose.yml").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    used |= set(re.findall(r"(?<!\$)\$([A-Za-z_][A-Za-z0-9_]*)", text))
    example = (BASE_DIR / ".env.example").read_text()
    assert "POSTGRES_PASSWORD" in used
    missing = [name for name in sorted(used) if not re.search(rf"(^|[#\s]){name}=", example, re.M)]
    assert not missing


def test_the_web_health_check_uses_a_host_allowed_hosts_accepts(compose):
    assert compose["services"]["web"]["healthcheck"]["test"] == ["CMD", "python", "-m", "mae_portal.healthcheck"]


@pytest.mark.parametrize(("allowed", "host"), [
    (["portal.example.org"], "portal.example.org"),
    (["portal.example.org", "www.example.org"], "portal.example.org"),
    ([".example.org"], "example.org"),
    (["*"], "localhost"),
    (["*", "portal.example.org"], "localhost"),
])
def test_healthcheck_host_passes_django_validation(client, db, settings, allowed, host):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = allowed
    assert healthcheck_host(allowed) == host
    response = client.get("/healthz", HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200


def test_healthcheck_host_refuses_an_empty_list():
    with pytest.raises(ValueError):
        healthcheck_host([])


def test_readme_lists_what_the_compose_file_needs_in_env():
    readme = (BASE_DIR / "README.md").read_text()
    production = readme[readme.index("## Production deployment"):]
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "MFA_ENCRYPTION_KEY", "STRIPE_SECRET_KEY",
                 "STRIPE_WEBHOOK_SECRET", "POSTGRES_PASSWORD", "TRUSTED_PROXY_COUNT"):
        assert f"`{name}`" in production[:1500], name

