"""Production settings, checked in fresh processes: settings are read once, at import, from the environment."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

# Everything settings.py reads that could change the outcome; the tests set what they need.
_SETTINGS_VARS = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "MFA_ENCRYPTION_KEY", "SITE_URL", "CSRF_TRUSTED_ORIGINS",
    "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL", "DEFAULT_FROM_EMAIL", "MEDIA_ROOT", "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "CONN_MAX_AGE",
    "SESSION_IDLE_SECONDS", "SESSION_ABSOLUTE_SECONDS", "LOG_LEVEL", "CELERY_MAX_COUNTDOWN_SECONDS",
    "CELERY_VISIBILITY_TIMEOUT", "CELERY_UNACKED_RESTORE_INTERVAL", "EMAIL_TASK_MAX_RETRIES", "EMAIL_RETRY_BASE_SECONDS",
    "EMAIL_SEND_TIME_LIMIT", "EMAIL_SENDING_TIMEOUT_SECONDS", "OUTBOX_SWEEP_AFTER_MINUTES",
    "PORT", "PAYMENT_GATEWAY", "PAYMENT_SANDBOX_ALLOWED", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "SANDBOX_WEBHOOK_SECRET",
    "TRUSTED_PROXY_COUNT",
}


def production_env(**overrides):
    """A production environment: DEBUG off and every required variable set (to a fresh random secret).

    A variable overridden with None is set to the empty string rather than removed, so that a
    developer's git-ignored .env (read with setdefault) cannot fill it in."""
    # DJANGO_*: the test run's own, e.g. DJANGO_ALLOW_ASYNC_UNSAFE (set by tests/conftest.py), fails --deploy.
    env = {key: value for key, value in os.environ.items() if key not in _SETTINGS_VARS and not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="mae_portal.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="portal.example.org",
        SITE_URL="https://portal.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        MFA_ENCRYPTION_KEY=secrets.token_urlsafe(40),
        STRIPE_SECRET_KEY="sk_test_" + secrets.token_hex(12),
        STRIPE_WEBHOOK_SECRET="whsec_" + secrets.token_hex(12),
        PYTHONWARNINGS="ignore",
    )
    for key, value in overrides.items():
        env[key] = "" if value is None else value
    return env


def run(args, env, timeout=120):
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_check_deploy_passes_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("variable", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "MFA_ENCRYPTION_KEY", "STRIPE_SECRET_KEY"])
def test_production_refuses_to_start_without(variable):
    result = run(["manage.py", "check"], production_env(**{variable: None}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable} must be set" in result.stderr or f"{variable} and" in result.stderr


def test_debug_needs_no_secrets():
    # (DATABASE_URL stays set: without it, importing the settings starts the embedded PostgreSQL.)
    env = production_env(DEBUG="true", SECRET_KEY=None, ALLOWED_HOSTS=None, MFA_ENCRYPTION_KEY=None)
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    result = run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


_PRINT_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
names = [
    "DEBUG", "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN", "SESSION_COOKIE_PATH", "CSRF_COOKIE_PATH",
    "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER", "ACCOUNT_DEFAULT_HTTP_PROTOCOL", "SECRET_KEY", "MFA_ENCRYPTION_KEY",
]
values = {name: getattr(settings, name, None) for name in names}
values["STATICFILES_BACKEND"] = settings.STORAGES["staticfiles"]["BACKEND"]
print(json.dumps(values))
"""


def test_production_cookies_and_transport():
    env = production_env()
    result = run(["-c", _PRINT_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])

    assert values["DEBUG"] is False
    # __Host- cookies: the browser keeps them only if Secure, Path=/ and no Domain.
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_DOMAIN"] is None and values["CSRF_COOKIE_DOMAIN"] is None
    assert values["SESSION_COOKIE_PATH"] == "/" and values["CSRF_COOKIE_PATH"] == "/"
    assert values["SESSION_COOKIE_HTTPONLY"] is True and values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == "https"
    assert values["SECRET_KEY"] == env["SECRET_KEY"]
    assert values["MFA_ENCRYPTION_KEY"] == env["MFA_ENCRYPTION_KEY"] != values["SECRET_KEY"]
    assert values["STATICFILES_BACKEND"] == "mae_portal.static_files.StaticFilesStorage"


def test_development_cookies_are_plain():
    # Over http://127.0.0.1 a browser would drop __Host- cookies, so development keeps Django's names.
    env = production_env(DEBUG="true")
    result = run(["-c", _PRINT_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_NAME"] == "sessionid"
    assert values["CSRF_COOKIE_NAME"] == "csrftoken"
