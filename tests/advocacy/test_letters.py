"""Case letters: the sandboxed templates (case fields filled, unsafe or broken templates refused with a
message and nothing stored), the director's draft-edit-preview-final flow, one PDF per letter however often
"make final" is pressed, final letters not editable, and the PDF behind the one download door."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from advocacy.case_panels import case_panels_for
from advocacy.letters import LETTER_KIND, check_letter_template, letter_context, render_letter
from advocacy.models import CaseLetter, LetterTemplate
from advocacy.services.letters import LetterError, case_letter_create, case_letter_finalise, case_letter_update
from mae_portal.documents import documents_of
from mae_portal.models import AuditLog, StoredDocument
from members import clock
from tests.advocacy.factories import ladder
from tests.advocacy.reports_helpers import NOTE_TEXT, ensure_letter_templates, make_case, make_deadline, make_hearing

TODAY = date(2026, 10, 20)
GRIEVANCE = "Level 1 grievance filing"
HEARING = "Hearing request (Miss. Code 37-9-109)"
RECORDS = "Public records request"


@pytest.fixture
def templates(db):
    return ensure_letter_templates()


@pytest.fixture
def case(world, director):
    director.first_name, director.last_name = "Denise", "Holloway"
    director.save()
    _, steps = ladder()
    case = make_case(director, world.district_a, supervisor="Principal Dana Reed", policy_cited="Board policy GAE",
                     current_step=steps[1])
    make_deadline(case, order=1, due=date(2026, 10, 26))
    return case


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


def pdf_text(document) -> str:
    with document.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


# --- The sandbox --------------------------------------------------------------------------------------------


def test_the_starting_templates_fill_in_every_case_field(templates, case, director):
    context = letter_context(case, today=TODAY)
    text = render_letter(templates[GRIEVANCE].body, context)
    for expected in ["October 20, 2026", "Principal Dana Reed", "Carver Middle School", "Tupelo Public School District",
                     f"MAE case {case.number}", "Tamika Shelton files this written grievance", "(Board policy GAE)",
                     "Issue: Evaluation", case.facts, case.remedy_sought, "due by October 26, 2026", "Denise Holloway",
                     "UniServ Director, North Mississippi", "director@example.org"]:
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text


def test_the_hearing_request_names_the_statute_the_hearing_date_and_the_address(templates, case, director):
    make_hearing(case, date(2026, 11, 30), recorded_by=director)
    text = render_letter(templates[HEARING].body, letter_context(case, today=TODAY))
    assert "Under Miss. Code Ann. 37-9-109, Tamika Shelton requests a hearing" in text
    assert "at least fourteen (14) days before the hearing" in text
    assert "The hearing is scheduled for November 30, 2026." in text
    assert "12 Magnolia Street\nTupelo, MS 38801" in text


def test_the_records_request_and_a_group_grievance(templates, case, world):
    from tests.factories import MemberFactory

    case.grievants.add(MemberFactory(employer_district=world.district_a, legal_first_name="Ray",
                                     legal_last_name="Ortiz"))
    text = render_letter(templates[RECORDS].body, letter_context(case, today=TODAY))
    assert "Public Records Act" in text and "25-61-5" in text
    assert "Ray Ortiz" in text and "Tamika Shelton" in text and " and " in text
    grievance = render_letter(templates[GRIEVANCE].body, letter_context(case, today=TODAY))
    assert "file this written grievance" in grievance  # plural verb for a group


@pytest.mark.parametrize("body, message", [
    ("{% load static %}{% static 'x' %}", "Invalid block tag on line 1: 'load'"),
    ("{% include 'base.html' %}", "'include'"),
    ("{% extends 'base.html' %}", "'extends'"),
    ("{% debug %}", "'debug'"),
    ("{% url 'home' %}", "'url'"),
    ("{{ case.delete }}", "Unknown case field: {{ case }}"),
    ("{{ settings.SECRET_KEY }}", "Unknown case field: {{ settings }}"),
    ("{% if case_number %}no end", "Unclosed tag on line 1: 'if'"),
    ("{{ facts|safe }}", "Invalid filter: 'safe'"),
    ("{% for g grievants %}{% endfor %}", "'for' statements should have at least four words"),
])
def test_a_template_outside_the_sandbox_is_refused_with_a_message(body, message):
    with pytest.raises(ValidationError) as error:
        check_letter_template(body)
    text = " ".join(error.value.messages)
    assert message in text, text
    assert "Letter templates may use the case fields listed" in text or "The case fields are" in text


def test_a_template_may_loop_over_grievants_and_use_safe_filters():
    check_letter_template("{% for g in grievants %}{{ forloop.counter }}. {{ g.name|upper }}{% endfor %} "
                          "{{ today|date:'F j, Y' }} {{ hearing_date|default:'to be set' }}")


def test_a_bad_template_is_refused_on_the_staff_page_and_nothing_is_stored(client, region_manager, templates):
    client.force_login(region_manager)
    before = LetterTemplate.objects.count()
    response = client.post("/advocacy/letter-templates/new/", {"name": "Sneaky", "case_kind": "",
                                                               "body": "{% load static %}{% debug %}", "active": "on"})
    assert response.status_code == 200
    assert "Invalid block tag on line 1: &#x27;load&#x27;" in response.content.decode()
    assert LetterTemplate.objects.count() == before
    existing = templates[GRIEVANCE]
    response = client.post(f"/advocacy/letter-templates/{existing.pk}/", {
        "name": existing.name, "case_kind": "grievance", "body": "Dear {{ principal }}", "active": "on"})
    assert response.status_code == 200
    assert "Unknown case field: {{ principal }}" in response.content.decode()
    existing.refresh_from_db()
    assert existing.body == templates[GRIEVANCE].body


def test_a_region_manager_edits_a_template_and_it_is_audited(client, region_manager, templates):
    client.force_login(region_manager)
    existing = templates[RECORDS]
    response = client.post(f"/advocacy/letter-templates/{existing.pk}/", {
        "name": existing.name, "case_kind": "", "body": "Records of {{ grievant_names }}, {{ today|date:'F j, Y' }}.",
        "active": "on"})
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.body.startswith("Records of {{ grievant_names }}")
    assert AuditLog.objects.filter(action="advocacy.letter_template_changed", object_id=str(existing.pk)).exists()
    assert client.get("/advocacy/letter-templates/").status_code == 200


def test_the_admin_form_checks_templates_too(templates):
    from advocacy.admin_letters import LetterTemplateAdminForm

    form = LetterTemplateAdminForm({"name": "X", "case_kind": "", "body": "{% include 'x' %}", "active": True})
    assert not form.is_valid()
    assert "'include'" in form.errors["body"][0]


# --- The director's flow -------------------------------------------------------------------------------------


def test_draft_edit_preview_final_builds_one_pdf(client, director, case, templates, today,
                                                 django_capture_on_commit_callbacks):
    client.force_login(director)
    base = f"/advocacy/cases/{case.pk}/letters/"
    page = client.get(f"{base}new/")
    assert GRIEVANCE in page.content.decode() and RECORDS in page.content.decode()
    assert HEARING not in page.content.decode()  # a nonrenewal template is not offered on a grievance
    response = client.post(f"{base}new/", {"template": templates[GRIEVANCE].pk})
    letter = CaseLetter.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == f"{base}{letter.pk}/"
    assert letter.status == "draft" and letter.subject == f"{GRIEVANCE}: case {case.number}"
    assert "Tamika Shelton files this written grievance" in letter.body

    edited = letter.body.replace("Sincerely,", "We ask to meet within five days.\n\nSincerely,")
    response = client.post(f"{base}{letter.pk}/", {"subject": "Level 1 grievance: Tamika Shelton", "body": edited,
                                                   "preview": "1"})
    assert response["Location"] == f"{base}{letter.pk}/preview/"
    preview = client.get(response["Location"]).content.decode()
    assert "We ask to meet within five days." in preview and "Level 1 grievance: Tamika Shelton" in preview

    assert "Confirm: make it final" in client.get(f"{base}{letter.pk}/final/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the build runs inline, as Celery would run it
        client.post(f"{base}{letter.pk}/final/", {"confirm": "1"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}{letter.pk}/final/", {"confirm": "1"})  # a double "make final"
    letter.refresh_from_db()
    assert letter.status == "final" and letter.finalised_at is not None
    documents = list(documents_of(letter, kind=LETTER_KIND))
    assert len(documents) == 1
    document = documents[0]
    assert document.status == StoredDocument.Status.READY
    text = pdf_text(document)
    assert "Mississippi Association of Educators" in text  # the letterhead
    assert "Level 1 grievance: Tamika Shelton" in text and "We ask to meet within five days." in text
    assert NOTE_TEXT not in text
    assert document.download_name == f"mae-letter-{case.number}-{letter.pk}.pdf"
    assert AuditLog.objects.filter(action="advocacy.letter_finalised", object_id=str(letter.pk)).count() == 1

    # The letter is on the case page's panel and its list, with its download link.
    listing = client.get(base).content.decode()
    assert f"/documents/{document.pk}/" in listing
    download = client.get(f"/documents/{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")
    opened = AuditLog.objects.get(action="advocacy.letter_downloaded")  # every view of a case document is recorded
    assert opened.subject_id == str(case.pk) and opened.actor == director

    # Final: not editable through the page (403) nor the service.
    response = client.post(f"{base}{letter.pk}/", {"subject": "Changed", "body": "Changed"})
    assert response.status_code == 403
    with pytest.raises(LetterError):
        case_letter_update(letter=letter, subject="Changed", body="Changed", actor=director)
    letter.refresh_from_db()
    assert letter.subject == "Level 1 grievance: Tamika Shelton"
    assert "can no longer be changed" in client.get(f"{base}{letter.pk}/").content.decode()


def test_the_letter_pdf_opens_only_for_those_who_work_the_case(client, director, director2, member, region_manager,
                                                               case, templates, django_capture_on_commit_callbacks):
    letter = case_letter_create(case=case, template=templates[GRIEVANCE], actor=director, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        _, document = case_letter_finalise(letter=letter, actor=director)
    document.refresh_from_db()
    assert document.status == StoredDocument.Status.READY
    for user, status in [(director, 200), (region_manager, 200), (director2, 404), (member, 404)]:
        client.force_login(user)
        assert client.get(f"/documents/{document.pk}/").status_code == status, user.email
    client.logout()
    assert client.get(f"/documents/{document.pk}/").status_code == 404


def test_finalising_twice_through_the_service_asks_for_one_document(director, case, templates,
                                                                    django_capture_on_commit_callbacks):
    letter = case_letter_create(case=case, template=templates[RECORDS], actor=director, today=TODAY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _, first = case_letter_finalise(letter=letter, actor=director)
        _, second = case_letter_finalise(letter=letter, actor=director)
    assert first.pk == second.pk
    assert len(callbacks) == 1  # one build enqueued
    assert StoredDocument.objects.filter(kind=LETTER_KIND).count() == 1


def test_the_letters_panel_is_registered_for_the_case_page(rf, director, case, templates):
    case_letter_create(case=case, template=templates[GRIEVANCE], actor=director, today=TODAY)
    request = rf.get("/")
    request.user = director
    panels = {panel["name"]: panel for panel in case_panels_for(case, request)}
    assert panels["letters"]["template"] == "advocacy/cases/_letters.html"
    assert [letter.status for letter in panels["letters"]["context"]["letters"]] == ["draft"]


def test_a_failed_pdf_is_prepared_again(client, director, case, templates, django_capture_on_commit_callbacks):
    letter = case_letter_create(case=case, template=templates[RECORDS], actor=director, today=TODAY)
    _, document = case_letter_finalise(letter=letter, actor=director)  # not built: the commit never came
    StoredDocument.objects.filter(pk=document.pk).update(status=StoredDocument.Status.FAILED)
    client.force_login(director)
    page = client.get(f"/advocacy/cases/{case.pk}/letters/{letter.pk}/").content.decode()
    assert "Prepare the PDF again" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/advocacy/cases/{case.pk}/letters/{letter.pk}/final/", {"confirm": "1"})
    document.refresh_from_db()
    assert document.status == StoredDocument.Status.READY
    assert StoredDocument.objects.filter(kind=LETTER_KIND).count() == 1
