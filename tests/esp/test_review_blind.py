"""Blind review: every page and file a reviewer can reach for a nomination, rendered with the cycle hiding
the name, worksite, district and photos, shows none of them; with nothing hidden the same pages show them
(so the check is real). Staff's redaction page suggests [nominee]/[worksite] copies."""

import pytest
from django.core.files.base import ContentFile

from esp.redaction import redact
from esp.services.review import round_close
from mae_portal.models import StoredDocument
from tests.esp.factories import AwardCycleFactory
from tests.esp.review_setup import nomination_for_review, reviewer_user, submit_review, worksite_in
from tests.factories import MemberFactory, UserFactory

NAME, LAST, SITE = "Quintessa", "Zellweger", "Magnolia Heights Elementary"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def stored(kind, content=PDF_BYTES, name="letter.pdf", content_type="application/pdf"):
    document = StoredDocument.objects.create(kind=kind, origin="uploaded", title=name, download_name=name,
                                             content_type=content_type, status="ready")
    document.file.save(f"{document.pk}.pdf", ContentFile(content))
    return document


@pytest.fixture
def blind(world, member, awards):
    cycle = AwardCycleFactory(phase="review", hide_name=True, hide_worksite=True, hide_district=True, hide_photos=True)
    site = worksite_in(world.district_b, SITE)
    nominee = MemberFactory(legal_first_name=NAME, legal_last_name=LAST, preferred_name="Quin",
                            employer_district=world.district_b, worksite=site, local=world.local_b)
    nominator = UserFactory(first_name="Bartholomew", last_name="Oyelaran")
    nomination = nomination_for_review(cycle, nominator=nominator, nominee=nominee, texts={
        1: f"{NAME} {LAST} has driven route 9 at {SITE} for twenty years. Quin's riders love her.",
        2: f"As building rep in {world.district_b.name}, {LAST} signed up every new hire."})
    nomination.nominator_statement = f"I have worked beside {NAME} at {SITE}."
    nomination.photo = stored("esp_photo", b"\x89PNG\r\n", "photo.png", "image/png")
    nomination.save()
    letter = nomination.letters.create(writer_name="Ignatius Fairweather", writer_relationship="Principal",
                                       document=stored("esp_letter", PDF_BYTES + NAME.encode()))
    letter.redacted_document = stored("award_letter_redacted")
    letter.save()
    reviewer = reviewer_user(employer_district=world.district_a, local=world.local_a)
    other = reviewer_user(employer_district=world.district_a, local=world.local_a)
    assignment = submit_review(nomination, reviewer, 4, assigned_by=awards)
    submit_review(nomination, other, 3, assigned_by=awards)
    return cycle, nomination, assignment, letter


def reviewer_pages(client, assignment, letter):
    """Every reviewer-reachable response about this nomination: pages and files."""
    base = f"/esp/review/{assignment.pk}/"
    responses = {url: client.get(url) for url in ("/esp/review/", base, f"{base}letters/{letter.pk}/", f"{base}photo/",
                                                   f"{base}others/")}
    return responses


def body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("latin-1") + response.get("Content-Disposition", "")


def test_no_hidden_field_reaches_a_reviewer(blind, awards, client, world):
    cycle, nomination, assignment, letter = blind
    round_close(cycle=cycle, round="review", actor=awards)  # the others page opens too
    client.force_login(assignment.reviewer)
    responses = reviewer_pages(client, assignment, letter)
    assert responses[f"/esp/review/{assignment.pk}/"].status_code == 200
    assert responses[f"/esp/review/{assignment.pk}/others/"].status_code == 200
    assert responses[f"/esp/review/{assignment.pk}/photo/"].status_code == 404  # photos hidden
    letter_response = responses[f"/esp/review/{assignment.pk}/letters/{letter.pk}/"]
    assert letter_response.status_code == 200 and body(letter_response).startswith("%PDF")
    for url, response in responses.items():
        text = body(response)
        for hidden in (NAME, LAST, "Quin's", SITE, world.district_b.name, "Bartholomew", "Oyelaran", "Ignatius",
                       "Fairweather", str(nomination.nominee.member_number)):
            assert hidden not in text, f"{hidden!r} reached the reviewer on {url}"
    page = body(responses[f"/esp/review/{assignment.pk}/"])
    assert "[nominee] has driven route 9 at [worksite]" in page  # the automatic suggestion stands in
    assert "As building rep in [district], [nominee] signed up" in page


def test_staff_redaction_is_what_reviewers_get(blind, client, awards):
    cycle, nomination, assignment, letter = blind
    statement = nomination.statements.get(criterion__order=1)
    statement.redacted_text = "The nominee has driven route 9 for twenty years."
    statement.save()
    client.force_login(assignment.reviewer)
    page = client.get(f"/esp/review/{assignment.pk}/").content.decode()
    assert "The nominee has driven route 9 for twenty years." in page


def test_a_letter_without_a_redacted_copy_is_not_given_while_names_are_hidden(blind, client):
    cycle, nomination, assignment, letter = blind
    letter.redacted_document = None
    letter.save()
    client.force_login(assignment.reviewer)
    assert client.get(f"/esp/review/{assignment.pk}/letters/{letter.pk}/").status_code == 404
    assert "not available to reviewers yet" in client.get(f"/esp/review/{assignment.pk}/").content.decode()


def test_with_nothing_hidden_the_same_pages_show_everything(blind, client, world):
    cycle, nomination, assignment, letter = blind
    cycle.hide_name = cycle.hide_worksite = cycle.hide_district = cycle.hide_photos = False
    cycle.save()
    client.force_login(assignment.reviewer)
    page = client.get(f"/esp/review/{assignment.pk}/").content.decode()
    for shown in (NAME, LAST, SITE, world.district_b.name, "Ignatius Fairweather"):
        assert shown in page
    assert client.get(f"/esp/review/{assignment.pk}/photo/").status_code == 200
    assert NAME in body(client.get(f"/esp/review/{assignment.pk}/letters/{letter.pk}/"))  # the original letter


def test_suggest_redactions(blind, client, awards):
    cycle, nomination, assignment, letter = blind
    client.force_login(awards)
    url = f"/esp/awards/staff/review/nominations/{nomination.pk}/redact/"
    page = client.post(url, {"suggest": "1"}).content.decode()
    assert "[nominee] has driven route 9 at [worksite] for twenty years. [nominee]&#x27;s riders" in page
    statement = nomination.statements.get(criterion__order=1)
    response = client.post(url, {f"redacted_{statement.pk}": "Route 9 for twenty years."})
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.redacted_text == "Route 9 for twenty years."


def test_staff_upload_a_redacted_letter(blind, client, awards):
    cycle, nomination, assignment, letter = blind
    client.force_login(awards)
    upload = ContentFile(PDF_BYTES, name="redacted.pdf")
    response = client.post(f"/esp/awards/staff/review/nominations/{nomination.pk}/letters/{letter.pk}/redacted/",
                           {"file": upload})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.redacted_document.kind == "award_letter_redacted" and letter.redacted_document.original_name == "redacted.pdf"


REDACTIONS = [
    ("Tamika Shelton drives bus 12.", "[nominee] drives bus 12."),
    ("Ms. Shelton's route", "Ms. [nominee]'s route"),
    ("TAMIKA\nSHELTON at Lee Elementary", "[nominee] at [worksite]"),
    ("Tamikas and Sheltonville stay", "Tamikas and Sheltonville stay"),
    ("In Tupelo Public School District", "In [district]"),
]


@pytest.mark.parametrize("text,expected", REDACTIONS)
def test_redact_table(text, expected):
    assert redact(text, names=["Tamika", "Shelton", "Tamika Shelton", "T"], worksites=["Lee Elementary"],
                  districts=["Tupelo Public School District"]) == expected
