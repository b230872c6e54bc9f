"""The signed-in user, their groups and two-factor status come from the cache (mae_portal/signed_in.py): no
query on a page that needs nothing else, and every change that matters seen on the very next request."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mae_portal.cache import PortalRedisCache
from mae_portal.permissions import Groups

pytestmark = pytest.mark.django_db

MISSING = "/no-such-page/"  # a 404 page: the menu and layout, no view of its own


def _queries(client, path=MISSING):
    client.get(path)  # fills the cache
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return [q["sql"] for q in queries.captured_queries]


def test_a_signed_in_page_reads_nobody_from_the_database(client, member, staff):
    for user in (member, staff):
        client.force_login(user)
        assert _queries(client) == [], user
        client.logout()


def test_a_group_given_or_taken_shows_on_the_next_request(client, member):
    client.force_login(member)
    client.get(MISSING)
    assert "Members" not in _nav(client)
    member.groups.add(Group.objects.get(name=Groups.MEMBERSHIP_STAFF))
    Authenticator.objects.create(user=member, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert ">Members<" in _nav(client)
    member.groups.clear()
    assert ">Members<" not in _nav(client)
    group = Group.objects.get(name=Groups.MEMBERSHIP_STAFF)
    group.user_set.add(member)
    assert ">Members<" in _nav(client)
    group.user_set.remove(member)
    assert ">Members<" not in _nav(client)


def _nav(client):
    return client.get(MISSING).content.decode()


def test_staff_who_remove_their_authenticator_are_sent_to_set_it_up_again(client, staff):
    client.force_login(staff)
    assert client.get("/dashboard/").status_code == 200
    Authenticator.objects.filter(user=staff).delete()
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


def test_a_deactivated_user_is_signed_out_at_once(client, member):
    client.force_login(member)
    assert client.get("/dashboard/").status_code == 200
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert client.get("/dashboard/").status_code == 302


def test_a_password_changed_elsewhere_ends_this_session(client, member):
    client.force_login(member)
    assert client.get("/dashboard/").status_code == 200
    member.set_password("a-new-long-password-42")
    member.save(update_fields=["password"])
    assert client.get("/dashboard/").status_code == 302


def test_a_stale_entry_with_another_password_is_checked_against_the_database(client, member):
    """Even if the cache kept an older row (a write the signals did not see), a session whose password hash
    no longer matches falls back to Django's own check of the stored row."""
    from django.core.cache import cache

    from mae_portal.signed_in import _key

    client.force_login(member)
    client.get("/dashboard/")
    entry = cache.get(_key(member.pk))
    entry["fields"]["password"] = "pbkdf2_sha256$1$x$y"  # not the password this session was opened with
    cache.set(_key(member.pk), entry, 60)
    assert client.get("/dashboard/").status_code == 200  # the stored row still matches the session
    assert cache.get(_key(member.pk))["fields"]["password"] == member.password  # and the entry is refreshed


def test_the_redis_cache_reuses_one_client_per_pool():
    cache = PortalRedisCache("redis://127.0.0.1:6379/13", {})
    assert cache._cache.get_client() is cache._cache.get_client()
    assert cache._cache.get_client(write=True) is cache._cache.get_client()
