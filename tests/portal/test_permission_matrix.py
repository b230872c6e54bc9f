"""Every URL of the portal x every persona x GET and POST -> the status that persona must get.

Objects a persona may not know exist answer 404; pages a persona may know of but not open, 403;
signed-out visitors are sent to sign in (302). A page that only shows something answers 405 to POST.
Membership pages (join, renew, payments, plans) and the membership staff area have matrices of their
own in tests/members/; this one claims every other URL of the portal, so a new page joins a matrix.
"""

import pytest

from mae_portal.models import StoredDocument
from tests.factories import MemberFactory
from tests.matrix import assert_covers, check_row, everyone, get, only, post, row_id, signed_in

# Region managers oversee every region: the roster and every member's detail page, but not membership
# staff's documents or pages (members/rules.py).
ROSTER_ROLES = {"leader", "director", "director2", "region_manager", "staff", "admin_user"}
ADMIN_SITE = {"staff", "awards", "region_manager", "admin_user"}  # is_staff: each sees its own models


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


GET_ONLY = everyone(405)
OWN_MEMBER = only({"member", "leader", "director", "region_manager", "staff", "admin_user"}, denied=404)
REGION_B_MEMBER = only({"director2", "region_manager", "staff", "admin_user"}, denied=404)

MATRIX = [
    get("/", everyone(200)),
    post("/", GET_ONLY),
    get("/healthz", everyone(200)),
    post("/healthz", GET_ONLY),
    get("/esp/", everyone(200)),  # what MAE does for ESPs; the rest of the content area: tests/esp/test_content_matrix.py
    post("/esp/", GET_ONLY),
    get("/esp/careers/", everyone(200)),
    post("/esp/careers/", GET_ONLY),
    get("/esp/careers/transportation-services/", everyone(200)),
    post("/esp/careers/transportation-services/", GET_ONLY),
    get("/esp/careers/teaching/", everyone(404)),  # not an ESP field
    get("/verify/00000000-0000-4000-8000-000000000000/", everyone(404)),  # a real card: tests/members/test_verify.py
    post("/verify/00000000-0000-4000-8000-000000000000/", GET_ONLY),
    get("/dashboard/", signed_in(200)),
    post("/dashboard/", GET_ONLY),
    get("/documents/panel/", signed_in(200)),
    post("/documents/panel/", GET_ONLY),
    get("/members/profile/", signed_in(200)),
    # An empty profile form: the member and the leader (who have a record) get the form back with errors.
    post("/members/profile/", signed_in(200)),
    get("/members/profile/record.pdf", signed_in(405, anonymous=405)),
    post("/members/profile/record.pdf", only({"member", "leader"}, status_ok=302)),
    get("/members/roster/", only(ROSTER_ROLES)),
    post("/members/roster/", GET_ONLY),
    get("/members/roster/export.csv", only(ROSTER_ROLES)),
    post("/members/roster/export.csv", GET_ONLY),
    get("/members/{own_member}/", OWN_MEMBER),
    post("/members/{own_member}/", GET_ONLY),
    get("/members/{region_b_member}/", REGION_B_MEMBER),
    post("/members/{region_b_member}/", GET_ONLY),
    get("/members/999999999/", only(set(), denied=404)),
    get("/documents/{document}/", only({"member", "staff", "admin_user"}, denied=404, anonymous=404)),
    post("/documents/{document}/", GET_ONLY),
    get("/audit/", only({"admin_user"})),
    post("/audit/", GET_ONLY),
    # The admin sends non-staff to its login, which goes through allauth and refuses them (403).
    get("/admin/", only(ADMIN_SITE, denied=302)),
    get("/admin/login/", only(set(), denied=403, **{p: 302 for p in ADMIN_SITE})),
    get("/admin/members/member/", only({"staff", "admin_user"}, denied=302, awards=403, region_manager=403)),
    get("/admin/members/uniservregion/", only({"staff", "region_manager", "admin_user"}, denied=302, awards=403)),
    get("/admin/mae_portal/auditlog/", only({"admin_user"}, denied=302, staff=403, awards=403, region_manager=403)),
    get("/accounts/login/", signed_in(302, anonymous=200)),
    get("/accounts/signup/", signed_in(302, anonymous=200)),
    get("/accounts/password/reset/", everyone(200)),
    get("/accounts/email/", signed_in(200)),
    get("/accounts/password/change/", signed_in(200)),
    get("/accounts/2fa/", signed_in(200)),
    # Activating asks for the password again (force_login leaves no recent authentication); staff
    # personas here already have TOTP, so they are sent back to the 2FA overview.
    get("/accounts/2fa/totp/activate/", signed_in(302)),
    get("/accounts/2fa/recovery-codes/", signed_in(404)),  # none generated yet for these users
    get("/accounts/sessions/", signed_in(200)),
    get("/accounts/logout/", signed_in(200, anonymous=302)),
]

LEFT_OUT = {
    "/admin/": "Django's admin has its own permission model (is_staff and model permissions, mae_portal/roles.py);"
               " the rows above check its door for each persona",
    "/accounts/": "allauth's pages: the ones the portal links to are rows above; allauth tests the rest",
    "/members/join/": "tests/members/test_membership_matrix.py",
    "/members/renew/": "tests/members/test_membership_matrix.py",
    "/members/payments/": "tests/members/test_membership_matrix.py",
    "/members/plan/": "tests/members/test_membership_matrix.py",
    "/members/staff/": "tests/members/test_staff_matrix.py",
    "/advocacy/": "tests/advocacy/test_cases_matrix.py, test_deadline_matrix.py and test_reports_matrix.py",
    "/esp/review/": "tests/esp/test_review_matrix.py",
    "/esp/awards/staff/review/": "tests/esp/test_review_matrix.py",
    "/esp/bill-of-rights/": "tests/esp/test_content_matrix.py",
    "/esp/stories/": "tests/esp/test_content_matrix.py",
    "/esp/award/": "tests/esp/test_content_matrix.py",
    "/esp/staff/": "tests/esp/test_content_matrix.py",
    "/esp/awards/staff/cycles/": "tests/esp/test_content_matrix.py",
    "/esp/award/<int:year>/nominate/": "tests/esp/test_nominations_matrix.py",
    "/esp/nominations/": "tests/esp/test_nominations_matrix.py",
    "/esp/letters/": "tests/esp/test_nominations_matrix.py",
    "/esp/awards/staff/nominations/": "tests/esp/test_nominations_matrix.py",
}


@pytest.mark.parametrize("row", MATRIX, ids=row_id)
def test_url_persona_status(row, matrix_clients, objects):
    check_row(row, matrix_clients, objects)


def test_matrix_covers_every_portal_url(objects):
    """A new URL pattern must join a matrix: this one, unless a prefix above names another."""
    assert_covers(MATRIX, objects, claims=["/"], leaves_out=LEFT_OUT)


def test_coverage_fails_for_a_url_without_a_post_row(objects):
    without = [row for row in MATRIX if (row.method, row.url) != ("POST", "/members/roster/")]
    with pytest.raises(AssertionError, match=r"POST /members/roster/$"):
        assert_covers(without, objects, claims=["/"], leaves_out=LEFT_OUT)
    with pytest.raises(AssertionError, match="say why"):
        assert_covers(MATRIX, objects, claims=["/"], leaves_out={**LEFT_OUT, "/esp/": " "})


@pytest.mark.parametrize("persona", ["director", "region_manager", "staff", "reviewer", "awards", "admin_user"])
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
