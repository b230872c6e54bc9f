import pytest

from mae_portal.models import AuditLog, StoredDocument
from members.models import Member

VALID = {
    "preferred_name": "Mika", "email": "tamika@example.net", "mobile_phone": "(662) 555 0142",
    "address_line1": "12 Elm Street", "address_line2": "", "city": "Tupelo", "state": "ms", "zip_code": "38801",
    "job_title": "Lead bus driver", "employment_basis": "full_time", "contact_by_email": "on",
}


def test_member_updates_profile_and_the_change_is_audited(client, member):
    client.force_login(member)
    response = client.post("/members/profile/", VALID, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    record = Member.objects.get(user=member)
    assert record.mobile_phone == "662-555-0142"
    assert record.state == "MS"
    assert record.contact_by_text is False
    entry = AuditLog.objects.get(action="member.profile_updated")
    assert entry.actor == member and entry.ip_address == "10.1.2.3"
    assert entry.changes["job_title"] == ["School bus driver", "Lead bus driver"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mobile_phone", "555-01", "10-digit"),
        ("zip_code", "3880", "5-digit ZIP"),
        ("state", "M1", "two-letter"),
        ("email", "not-an-email", "valid email"),
        ("employment_basis", "sometimes", "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(client, member, field, value, message):
    html = assert_profile_refused(client, member, field, value, message)
    assert value in html or field == "employment_basis"  # what they typed is kept
    assert not AuditLog.objects.exists()


def test_unchanged_profile_writes_no_audit_entry(client, member):
    client.force_login(member)
    client.post("/members/profile/", VALID)
    client.post("/members/profile/", VALID)
    assert AuditLog.objects.filter(action="member.profile_updated").count() == 1


def test_member_cannot_change_legal_name_or_employer_through_the_form(client, member, world):
    client.force_login(member)
    client.post("/members/profile/", {**VALID, "legal_last_name": "Forged", "employer_district": world.district_b.pk})
    record = Member.objects.get(user=member)
    assert record.legal_last_name == "Shelton" and record.employer_district == world.district_a


def test_record_pdf_is_post_only_and_a_double_submit_makes_one_document(client, member, django_capture_on_commit_callbacks):
    client.force_login(member)
    assert client.get("/members/profile/record.pdf").status_code == 405
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/members/profile/record.pdf")
        client.post("/members/profile/record.pdf")
    assert StoredDocument.objects.filter(owner=member).count() == 1


def test_account_without_member_record_is_told_what_to_do(client, outsider):
    client.force_login(outsider)
    response = client.get("/members/profile/")
    assert b"not linked to a member record" in response.content
    assert client.post("/members/profile/record.pdf").status_code == 403


def assert_profile_refused(client, member, field, value, message) -> str:
    """Post the profile with one bad field: the error stands next to the field and in the summary, and
    nothing is saved or audited. Returns the page."""
    client.force_login(member)
    before = Member.objects.values().get(user=member)
    response = client.post("/members/profile/", {**VALID, field: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html and message in html
    assert "error-summary" in html
    assert Member.objects.values().get(user=member) == before
    assert not AuditLog.objects.filter(action="member.profile_updated").exists()
    return html
