"""Bad input and bad requests answer 4xx with the portal's own page, never a 500.

NUL bytes (U+0000) cannot be stored in PostgreSQL text nor used in a query on it: every text input
that carries one is refused with a 400 that says so. A request for a host not in ALLOWED_HOSTS gets a
400 too, with DEBUG off, although no authentication ran before the error page was rendered.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

NUL = "a\x00b"


def test_join_refuses_a_nul_in_a_posted_field(client, outsider):
    client.force_login(outsider)
    response = client.post("/members/join/", {"legal_first_name": "Ann", "employer_district": NUL})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert "employer_district" in response.content.decode()


def test_worksite_field_refuses_a_nul_in_the_query_string(client, outsider):
    client.force_login(outsider)
    response = client.get("/members/join/worksites/", {"employer_district": NUL})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_audit_log_refuses_a_nul_in_the_query_string(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/audit/", {"action": NUL})
    assert response.status_code == 400
    # The portal's page, with the signed-in menu: the error is rendered after authentication.
    assert "Sign out" in response.content.decode()


def test_a_nul_in_a_parameter_name_or_the_path_is_refused(client, member):
    client.force_login(member)
    assert client.get("/members/staff/members/?a%00b=1").status_code == 400
    assert client.get("/members/payments/checkout/sandbox/a%00b/").status_code == 400


def test_webhooks_still_read_their_raw_body(client, db):
    # The webhook view reads request.body; the NUL check must not have consumed the stream before it.
    response = client.post("/members/payments/webhooks/sandbox/", data=b"a\x00b", content_type="application/json")
    assert response.status_code in (400, 403)


def _plain_get_urls(resolver=None, prefix=""):
    """Every URL of the portal that takes no argument (the list and form pages)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = str(entry.pattern)
        if "<" in pattern or "(?P" in pattern or pattern.startswith("admin/") or pattern.startswith("^"):
            continue
        if isinstance(entry, URLResolver):
            yield from _plain_get_urls(entry, prefix + pattern)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + pattern


# Every name a page reads from the query string, all carrying a NUL at once.
_PARAMS = ["q", "action", "actor", "page", "employer_district", "worksite", "category", "plan", "draft_day",
           "status", "local", "region", "career_field", "cancelled", "next", "member_number", "date", "token"]


@pytest.mark.parametrize("persona", ["member", "leader", "staff", "admin_user"])
def test_no_page_answers_500_to_nul_parameters(as_persona, persona):
    client = as_persona(persona)
    urls = sorted(set(_plain_get_urls()))
    assert "/audit/" in urls and "/members/staff/members/" in urls and "/members/roster/" in urls
    for url in urls:
        response = client.get(url, {name: NUL for name in _PARAMS})
        # The test client re-raises a view's exception; a page that ignores the parameters may answer 200.
        assert response.status_code < 500, (url, response.status_code)


def test_a_disallowed_host_gets_the_portals_400_page_with_debug_off(client, db, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["portal.example.org"]
    client.raise_request_exception = False
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
    assert "Mississippi Association of Educators" in response.content.decode()  # the portal's layout
