"""The client's address behind the TLS proxy: TRUSTED_PROXY_COUNT proxies are trusted to append to
X-Forwarded-For, counted from the right; what is left of them is the client's own and may be forged."""

import re
from types import SimpleNamespace

import pytest

from mae_portal.audit import client_ip
from mae_portal.models import AuditLog
from members import clock
from members.models import DraftAuthorization
from members.services import followups

PROXY = "10.0.0.2"  # the TLS proxy, as gunicorn sees it
PROFILE = {
    "preferred_name": "Mika", "email": "tamika@example.net", "mobile_phone": "(662) 555 0142",
    "address_line1": "12 Elm Street", "address_line2": "", "city": "Tupelo", "state": "ms", "zip_code": "38801",
    "job_title": "Lead bus driver", "employment_basis": "full_time", "contact_by_email": "on",
}


def _request(xff=None, remote=PROXY):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return SimpleNamespace(META=meta)


@pytest.mark.parametrize(("count", "xff", "expected"), [
    (0, "198.51.100.7", PROXY),  # no trusted proxy: the header is anyone's to write
    (0, None, PROXY),
    (1, "198.51.100.7", "198.51.100.7"),
    (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client wrote 6.6.6.6 itself
    (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
    (2, "198.51.100.7", PROXY),  # fewer entries than proxies: not through the whole chain
    (1, None, PROXY),  # straight to gunicorn (the container's health check)
    (1, "not-an-address", PROXY),
    (1, "2001:db8::1", "2001:db8::1"),
    (1, " 198.51.100.7 ", "198.51.100.7"),
])
def test_client_ip_counts_trusted_proxies_from_the_right(settings, count, xff, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(_request(xff)) == expected


def _fail_logins(client, email, forwarded_for, times):
    for _ in range(times):
        client.post("/accounts/login/", {"login": email, "password": "wrong-secret-123"},
                    REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_failed_logins_from_one_forwarded_client_do_not_lock_out_another(client, member, outsider, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # Ten failed logins (allauth's per-IP limit per minute), over several accounts so the per-account limit
    # (five) is not what trips.
    for number in range(10):
        _fail_logins(client, f"nobody{number}@example.org", "198.51.100.7", 1)
    refused = _login(client, "198.51.100.7")  # the attacker's address is limited, even with the right password
    assert refused.status_code in (200, 429) and "Too many failed login attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    response = _login(client, "203.0.113.50")  # another member behind the same proxy is not
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(member.pk)


def test_without_trusted_proxies_forwarded_for_is_ignored_by_the_rate_limit(client, member, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(10):
        _fail_logins(client, f"nobody{number}@example.org", f"198.51.100.{number}", 1)
    # Everyone is the proxy's address: a forged header does not get around the limit.
    refused = _login(client, "203.0.113.50")
    assert "Too many failed login attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def _login(client, forwarded_for):
    return client.post("/accounts/login/", {"login": "member@example.org", "password": "mae-demo-2026"},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_audit_rows_keep_the_forwarded_client_address(client, member, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(member)
    response = client.post("/members/profile/", PROFILE, REMOTE_ADDR=PROXY,
                           HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert response.status_code == 302
    assert AuditLog.objects.get(action="member.profile_updated").ip_address == "198.51.100.7"


def test_with_no_trusted_proxy_audit_rows_keep_the_peer_address(client, member, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client.force_login(member)
    client.post("/members/profile/", PROFILE, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert AuditLog.objects.get(action="member.profile_updated").ip_address == PROXY


def test_signed_draft_authorization_keeps_the_forwarded_client_address(client, member, settings, monkeypatch):
    settings.TRUSTED_PROXY_COUNT = 1
    from datetime import date

    monkeypatch.setattr(clock, "today", lambda: date(2026, 10, 15))
    monkeypatch.setattr(followups, "enqueue_document", lambda kind, pk: None)
    monkeypatch.setattr(followups, "after_payment", lambda payment_pk, first: None)
    forwarded = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    client.force_login(member)
    url = "/members/join/authorize/?category=esp-full-time&plan=monthly&draft_day=15"
    page = client.get(url, **forwarded).content.decode()
    token, digest = (re.search(rf'name="{name}" value="([^"]+)"', page).group(1) for name in ("token", "digest"))
    response = client.post(url, {"agree": "on", "typed_name": "Tamika Shelton", "token": token, "digest": digest},
                           **forwarded)
    assert response.status_code == 302
    assert DraftAuthorization.objects.get().ip_address == "198.51.100.7"
