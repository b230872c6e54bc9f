"""Named personas shared by every app's tests.

Two regions: the director's (region A) and director2's (region B). The member, the leader and the
leader's local are in region A. Each persona fixture returns a signed-up user with a verified email.
"""

import importlib
import os
import threading
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache

from advocacy.reference import ensure_reference_data as ensure_advocacy_reference_data  # noqa: E402
from mae_portal.permissions import Groups
from mae_portal.roles import sync_group_permissions
from members.models import CareerField
from members.reference import ensure_career_fields
from tests.factories import (
    DistrictFactory,
    LocalFactory,
    LocalOfficerFactory,
    MemberFactory,
    RegionFactory,
    UserFactory,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
_default_categories = importlib.import_module("members.migrations.0003_default_categories")
_letter_templates = importlib.import_module("advocacy.migrations.0004_letter_templates")
_esp_pages = importlib.import_module("esp.migrations.0005_esp_pages")


@pytest.fixture(autouse=True)
def _forget_signed_out_home():
    """The signed-out home page is kept per process (mae_portal/views.py): each test renders its own."""
    from mae_portal import views

    views._SIGNED_OUT_HOME.clear()


@pytest.fixture(autouse=True)
def _isolate(settings, tmp_path):
    cache.clear()  # allauth's rate limits live in the cache
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def restore_reference_rows():
    """Put back the rows migrations make (career fields, groups and their permissions, membership categories,
    rates, notice rules and policy, advocacy's case types): a transactional test flushes every table."""
    ensure_career_fields(CareerField)
    sync_group_permissions()
    _default_categories.load(django_apps, None)
    ensure_advocacy_reference_data()
    _letter_templates.load(django_apps, None)  # get_or_create: idempotent
    _esp_pages.load(django_apps, None)


_FLUSHED = [False]  # a transactional test has run since the reference rows were last put back for good


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


def _restore_committed():
    """Restore the reference rows on a connection of their own (a thread's), so they are committed even
    when the test's own transaction has already begun, and stay for every later test."""
    failure = []

    def run():
        from django.db import connection

        try:
            restore_reference_rows()
        except Exception as error:  # noqa: BLE001 - re-raised in the test's thread
            failure.append(error)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


@pytest.fixture(autouse=True)
def _restore_after_flush(request, django_db_blocker):
    """A transactional or browser test flushes every table when it ends; the next test first puts back the
    rows the migrations made, so it meets the same database whatever its fixtures."""
    if _FLUSHED[0]:
        with django_db_blocker.unblock():
            _restore_committed()
        _FLUSHED[0] = False
    yield
    if _is_transactional(request):
        _FLUSHED[0] = True


@pytest.fixture
def world(db):
    # Transactional tests flush the tables, migration-made rows included; put them back.
    ensure_career_fields(CareerField)
    sync_group_permissions()
    _default_categories.load(django_apps, None)  # idempotent: categories, first rates, notice rules, policy
    ensure_advocacy_reference_data()  # issue categories and the starting case types
    region_a = RegionFactory(name="North Mississippi")
    region_b = RegionFactory(name="Delta")
    district_a = DistrictFactory(name="Tupelo Public School District", region=region_a)
    district_b = DistrictFactory(name="Greenville Public School District", region=region_b)
    local_a = LocalFactory(name="Tupelo Association of Educators", districts=[district_a])
    local_b = LocalFactory(name="Greenville Association of Educators", districts=[district_b])
    return SimpleNamespace(
        region_a=region_a, region_b=region_b, district_a=district_a, district_b=district_b,
        local_a=local_a, local_b=local_b,
    )


def _with_mfa(user):
    """Staff personas have set up TOTP, as they must before any staff page opens."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    return user


@pytest.fixture
def member(world):
    user = UserFactory(email="member@example.org", first_name="Tamika", last_name="Shelton")
    MemberFactory(user=user, legal_first_name="Tamika", legal_last_name="Shelton", email=user.email,
                  employer_district=world.district_a, local=world.local_a)
    return user


@pytest.fixture
def leader(world):
    user = UserFactory(email="leader@example.org", groups=[Groups.LOCAL_LEADERS])
    MemberFactory(user=user, employer_district=world.district_a, local=world.local_a)
    LocalOfficerFactory(local=world.local_a, user=user)
    return user


@pytest.fixture
def director(world):
    user = _with_mfa(UserFactory(email="director@example.org", groups=[Groups.UNISERV_DIRECTORS]))
    world.region_a.directors.add(user)
    return user


@pytest.fixture
def director2(world):
    user = _with_mfa(UserFactory(email="director2@example.org", groups=[Groups.UNISERV_DIRECTORS]))
    world.region_b.directors.add(user)
    return user


@pytest.fixture
def staff(world):
    return _with_mfa(UserFactory(email="staff@example.org", groups=[Groups.MEMBERSHIP_STAFF], is_staff=True))


@pytest.fixture
def region_manager(world):
    """Oversees every UniServ region: reads every member and local; keeps the regions in the admin."""
    return _with_mfa(UserFactory(email="region.manager@example.org", groups=[Groups.REGION_MANAGERS], is_staff=True))


@pytest.fixture
def reviewer(world):
    return _with_mfa(UserFactory(email="reviewer@example.org", groups=[Groups.AWARD_REVIEWERS]))


@pytest.fixture
def awards(world):
    return _with_mfa(UserFactory(email="awards@example.org", groups=[Groups.AWARDS_STAFF], is_staff=True))


@pytest.fixture
def coordinator(world):
    return UserFactory(email="coordinator@example.org", groups=[Groups.MENTORING_COORDINATORS])


@pytest.fixture
def admin_user(world):
    return _with_mfa(UserFactory(email="admin@example.org", is_staff=True, is_superuser=True))


@pytest.fixture
def outsider(world):
    """Signed up and verified, but not a member and no role."""
    return UserFactory(email="outsider@example.org")


PERSONAS = ["anonymous", "member", "leader", "director", "director2", "region_manager", "staff", "reviewer",
            "awards", "coordinator", "admin_user", "outsider"]


@pytest.fixture
def as_persona(request, client):
    """as_persona(name) -> a test client signed in as that persona (anonymous: signed out)."""

    def sign_in(name):
        if name != "anonymous":
            client.force_login(request.getfixturevalue(name))
        return client

    return sign_in


@pytest.fixture
def matrix_clients(request, world):
    """For tests/matrix.py: client_for(persona) -> a fresh test client signed in as that persona."""
    from django.test import Client

    users = {name: request.getfixturevalue(name) for name in PERSONAS if name != "anonymous"}

    def client_for(name):
        client = Client()
        if name != "anonymous":
            client.force_login(users[name])
        return client

    return client_for


class _SinkHandler:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 Message accepted"


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server (aiosmtpd) on loopback; Django's SMTP backend delivers to it.
    `smtp_sink.messages` holds email.message.EmailMessage objects; `smtp_sink.port` its port."""
    from aiosmtpd.controller import Controller

    handler = _SinkHandler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    handler.port = port
    yield handler
    controller.stop()


def require_or_skip(condition: bool, reason: str):
    """Skip a test needing a browser or broker, except in CI where everything must run."""
    if condition:
        return
    if os.environ.get("MAE_REQUIRE_ALL_TESTS"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)
