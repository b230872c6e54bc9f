"""Every URL of the portal x every persona -> the status that persona must get.

Objects a persona may not know exist answer 404; pages a persona may know of but not open, 403;
signed-out visitors are sent to sign in (302).
"""

import pytest
from django.urls import reverse

from mae_portal.models import StoredDocument
from tests.conftest import PERSONAS
from tests.factories import MemberFactory

SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]
ROSTER_ROLES = {"leader", "director", "director2", "staff", "admin_user"}


def everyone(status):
    return {p: status for p in PERSONAS}


def signed_in(status, anonymous=302, **overrides):
    return {"anonymous": anonymous, **{p: status for p in SIGNED_IN}, **overrides}


def only(allowed, status_ok=200, denied=403, anonymous=302):
    return {"anonymous": anonymous, **{p: (status_ok if p in allowed else denied) for p in SIGNED_IN}}


@pytest.fixture
def objects(world, member):
    """Objects the URLs point at: the member persona's record and document, and a region-B member."""
    other = MemberFactory(employer_district=world.district_b, local=world.local_b)
    document = StoredDocument.objects.create(
        owner=member, kind="member_record", title="Copy of my member record",
        download_name="record.pdf", status=StoredDocument.Status.READY,
    )
    from django.core.files.base import ContentFile

    document.file.save("x.pdf", ContentFile(b"%PDF-1.7 test"))
    return {"own_member": member.member.member_number, "region_b_member": other.member_number, "document": document.pk}


MATRIX = [
    ("/", everyone(200)),
    ("/healthz", everyone(200)),
    ("/esp/careers/", everyone(200)),
    ("/esp/careers/transportation-services/", everyone(200)),
    ("/esp/careers/teaching/", everyone(404)),  # not an ESP field
    ("/verify/00000000-0000-4000-8000-000000000000/", everyone(404)),  # a real card's token: tests/members/test_verify.py
    ("/dashboard/", signed_in(200)),
    ("/documents/panel/", signed_in(200)),
    ("/members/profile/", signed_in(200)),
    ("/members/roster/", only(ROSTER_ROLES)),
    ("/members/roster/export.csv", only(ROSTER_ROLES)),
    ("/members/{own_member}/", only({"member", "leader", "director", "staff", "admin_user"}, denied=404)),
    ("/members/{region_b_member}/", only({"director2", "staff", "admin_user"}, denied=404)),
    ("/members/999999999/", only(set(), denied=404)),
    ("/documents/{document}/", only({"member", "staff", "admin_user"}, denied=404)),
    ("/audit/", only({"admin_user"})),
    # The admin sends non-staff to its login, which goes through allauth and refuses them (403).
    ("/admin/", only({"staff", "awards", "admin_user"}, denied=302)),
    ("/admin/login/", only(set(), denied=403, **{}) | {"staff": 302, "awards": 302, "admin_user": 302}),
    ("/admin/members/member/", only({"staff", "admin_user"}, denied=302) | {"awards": 403}),
    ("/admin/mae_portal/auditlog/", only({"admin_user"}, denied=302) | {"staff": 403, "awards": 403}),
    ("/accounts/login/", signed_in(302, anonymous=200)),
    ("/accounts/signup/", signed_in(302, anonymous=200)),
    ("/accounts/password/reset/", everyone(200)),
    ("/accounts/email/", signed_in(200)),
    ("/accounts/password/change/", signed_in(200)),
    ("/accounts/2fa/", signed_in(200)),
    # Activating asks for the password again (force_login leaves no recent authentication); staff
    # personas here already have TOTP, so they are sent back to the 2FA overview.
    ("/accounts/2fa/totp/activate/", signed_in(302)),
    ("/accounts/2fa/recovery-codes/", signed_in(404)),  # none generated yet for these users
    ("/accounts/sessions/", signed_in(200)),
    ("/accounts/logout/", signed_in(200, anonymous=302)),
]

CASES = [(url, persona, expected[persona]) for url, expected in MATRIX for persona in PERSONAS]


@pytest.mark.parametrize(("url", "persona", "expected"), CASES, ids=[f"{u} {p}" for u, p, _ in CASES])
def test_url_persona_status(url, persona, expected, as_persona, objects):
    client = as_persona(persona)
    response = client.get(url.format(**objects))
    assert response.status_code == expected, f"{persona} GET {url}: {response.status_code}"


def test_matrix_covers_every_portal_url():
    """A new URL pattern must join the matrix above."""
    from django.urls import get_resolver

    covered = {url.split("{")[0].rstrip("/") for url, _ in MATRIX}
    names = {
        "home", "dashboard", "documents_panel", "document_download", "audit_log", "healthz",
        "members:profile", "members:request_record_pdf", "members:roster", "members:roster_export",
        "members:member_detail", "esp:career_fields", "esp:career_field", "verify_card",
    }
    # Membership and staff pages have matrices of their own, each with its own coverage check.
    from members import urls_membership, urls_staff

    names |= {f"members:{p.name}" for p in [*urls_membership.urlpatterns, *urls_staff.urlpatterns]}
    resolver = get_resolver()
    portal_names = {name for name in resolver.reverse_dict.keys() if isinstance(name, str)}
    for namespace in ("members", "esp"):
        portal_names |= {f"{namespace}:{n}" for n in resolver.namespace_dict[namespace][1].reverse_dict.keys() if isinstance(n, str)}
    ours = {n for n in portal_names if not n.startswith(("account_", "mfa_", "usersessions_", "admin"))}
    assert ours - {n for n in names} == set(), "URL names missing from this test's list"
    assert covered, "matrix is empty"
    # POST-only: checked in tests/members/test_profile.py
    assert reverse("members:request_record_pdf")


@pytest.mark.parametrize("persona", ["director", "staff", "reviewer", "awards", "admin_user"])
def test_staff_personas_without_mfa_are_sent_to_set_it_up(persona, request, client, world):
    from allauth.mfa.models import Authenticator

    user = request.getfixturevalue(persona)
    Authenticator.objects.filter(user=user).delete()
    client.force_login(user)
    for url in ["/dashboard/", "/members/profile/", "/admin/", "/esp/careers/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/", url
    # The set-up page itself opens (after allauth's re-authentication), with no redirect loop.
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("persona", ["member", "leader", "coordinator", "outsider"])
def test_other_personas_are_not_forced_into_mfa(persona, as_persona, world):
    assert as_persona(persona).get("/dashboard/").status_code == 200
