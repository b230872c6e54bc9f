import logging
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from mae_portal.audit import audit_record, register_audit_actions
from mae_portal.models import AuditLog
from members.models import Member
from tests.factories import MemberFactory, UserFactory


def test_audit_log_is_append_only_in_the_orm_and_the_database(db):
    register_audit_actions({"test.done": "Test done"})
    entry = audit_record(actor=None, action="test.done", changes={"a": [1, 2]})
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    for sql in ("UPDATE mae_portal_auditlog SET action = 'forged'", "DELETE FROM mae_portal_auditlog"):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditLog.objects.get().action == "test.done"


def test_member_numbers_come_from_the_sequence_and_never_repeat(world):
    members = MemberFactory.create_batch(5, employer_district=world.district_a, local=world.local_a)
    numbers = [m.member_number for m in Member.objects.filter(pk__in=[m.pk for m in members]).order_by("pk")]
    assert numbers == sorted(numbers) and len(set(numbers)) == 5 and numbers[0] >= 100001


def test_nea_id_is_unique_when_present(world):
    MemberFactory(nea_id="", employer_district=world.district_a, local=world.local_a)
    MemberFactory(nea_id="", employer_district=world.district_a, local=world.local_a)
    MemberFactory(nea_id="123456789", employer_district=world.district_a, local=world.local_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(nea_id="123456789", employer_district=world.district_a, local=world.local_a)


def test_emails_are_unique_whatever_their_case(db):
    UserFactory(email="pat@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="Pat@Example.org")


def test_totp_secret_is_encrypted_at_rest(staff):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    stored = Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP)
    assert "JBSWY3DPEHPK3PXP" not in str(stored.data)
    assert TOTP(stored).instance.data["secret"].startswith("gAAAA")  # a Fernet token
    from allauth.mfa.utils import decrypt

    assert decrypt(stored.data["secret"]) == "JBSWY3DPEHPK3PXP"


def test_staff_cannot_switch_off_their_only_authenticator(staff):
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    assert get_adapter().can_delete_authenticator(Authenticator.objects.get(user=staff)) is False


def test_session_ends_after_its_absolute_lifetime(client, member, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 60
    client.force_login(member)
    assert client.get("/dashboard/").status_code == 200
    session = client.session
    session["mae_session_started"] = int(time.time()) - 61
    session.save()
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/dashboard/").status_code == 302  # signed out for good


def test_idle_lifetime_is_configured(settings):
    # Not saved on every request: SessionActivityMiddleware renews the idle limit once a touch interval.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert "mae_portal.middleware.SessionActivityMiddleware" in settings.MIDDLEWARE
    assert "allauth.usersessions.middleware.UserSessionsMiddleware" not in settings.MIDDLEWARE
    assert 0 < settings.SESSION_COOKIE_AGE <= 4 * 60 * 60
    assert 0 < settings.SESSION_TOUCH_SECONDS <= 60


WRITES = ("UPDATE", "INSERT", "DELETE")


def _writes(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


@pytest.fixture
def clock_at(monkeypatch):
    """Moves timezone.now (sessions, allauth, the touch interval) to a point after the real now."""
    from datetime import timedelta

    from django.utils import timezone

    real_now = timezone.now

    def move(**delta):
        later = real_now() + timedelta(**delta)
        monkeypatch.setattr(timezone, "now", lambda: later)
    return move


def test_signed_in_pages_write_nothing_within_a_minute_then_touch_once(client, member, clock_at):
    from allauth.usersessions.models import UserSession

    client.force_login(member)
    assert client.get("/dashboard/").status_code == 200  # the first page touches the session
    with CaptureQueriesContext(connection) as second:
        assert client.get("/dashboard/").status_code == 200
    assert _writes(second.captured_queries) == []
    with CaptureQueriesContext(connection) as third:
        assert client.get("/members/profile/").status_code == 200
    assert _writes(third.captured_queries) == []

    seen = UserSession.objects.get(user=member).last_seen_at
    clock_at(seconds=61)
    with CaptureQueriesContext(connection) as later:
        assert client.get("/dashboard/").status_code == 200
    writes = _writes(later.captured_queries)
    assert len([w for w in writes if "django_session" in w]) == 1
    assert len([w for w in writes if "usersessions_usersession" in w]) == 1
    assert UserSession.objects.get(user=member).last_seen_at > seen
    with CaptureQueriesContext(connection) as after:
        assert client.get("/dashboard/").status_code == 200
    assert _writes(after.captured_queries) == []


@pytest.mark.parametrize("engine", ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"])
def test_idle_session_still_ends_after_two_hours(client, member, settings, clock_at, engine):
    from django.core.cache import cache

    settings.SESSION_ENGINE = engine
    client.force_login(member)
    assert client.get("/dashboard/").status_code == 200
    clock_at(minutes=119)
    assert client.get("/dashboard/").status_code == 200  # active within the idle limit: renewed
    clock_at(minutes=119 + 119)
    assert client.get("/dashboard/").status_code == 200
    clock_at(minutes=119 + 119 + 121)
    # Redis drops the cached copy after the same idle limit (its timeout); the test's clock cannot move Redis.
    cache.delete(f"django.contrib.sessions.cached_db{client.session.session_key}")
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_personal_pages_are_not_cached(client, member):
    client.force_login(member)
    assert "no-store" in client.get("/dashboard/")["Cache-Control"]
    client.logout()
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]
    assert "no-store" not in client.get("/esp/careers/").get("Cache-Control", "")


def test_security_headers(client, db):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_failed_login_is_logged_without_the_password(client, member, caplog):
    with caplog.at_level(logging.WARNING, logger="mae_portal.security"):
        client.post("/accounts/login/", {"login": "member@example.org", "password": "wrong-secret-123"})
    assert "login failed for 'member@example.org'" in caplog.text
    assert "wrong-secret-123" not in caplog.text


def test_login_is_rate_limited(client, member):
    for _ in range(6):
        client.post("/accounts/login/", {"login": "member@example.org", "password": "wrong-secret-123"})
    response = client.post("/accounts/login/", {"login": "member@example.org", "password": "mae-demo-2026"})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_healthz_reports_each_dependency(client, db, settings, monkeypatch):
    body = client.get("/healthz").json()
    assert body == {"status": "ok", "database": "ok", "cache": "ok", "broker": "inline"}
    from mae_portal import views

    monkeypatch.setattr(views, "_cache", lambda: (_ for _ in ()).throw(ConnectionError("down")))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["cache"] == "error: ConnectionError"


def test_account_emails_go_through_the_delivery_log(client, db, django_capture_on_commit_callbacks, mailoutbox):
    from mae_portal.models import EmailDelivery

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", {"email": "new@example.org", "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"})
    delivery = EmailDelivery.objects.get(to="new@example.org")
    assert delivery.status == "sent" and delivery.sensitive
    assert delivery.body_text == ""  # one-time link wiped once delivered
    assert len(mailoutbox) == 1 and "/accounts/confirm-email/" in mailoutbox[0].body


def test_load_demo_is_idempotent_and_refuses_without_debug(db, settings, capsys):
    settings.DEBUG = True  # pytest-django turns it off
    call_command("load_demo", members=20)
    first = Member.objects.count()
    call_command("load_demo", members=20)
    assert Member.objects.count() == first == 22
    out = capsys.readouterr().out
    assert "member@example.org" in out and settings.DEMO_PASSWORD in out
    settings.DEBUG = False
    with pytest.raises(CommandError, match="never loaded"):
        call_command("load_demo")
