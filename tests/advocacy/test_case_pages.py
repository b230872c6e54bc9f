"""The staff case page and its changes, and the member's case page: fields, grievants, closing and
reopening, notes, shared updates and their emails, documents shared and unshared, and the audit trail."""

from datetime import date

import pytest
from django.urls import reverse

from advocacy.models import CaseNote, CaseUpdate, GrievanceCase
from advocacy.services.cases import case_close, case_grievant_remove, case_reopen, case_update_fields
from advocacy.services.requests import AdvocacyError
from mae_portal.models import AuditLog, EmailDelivery
from tests.advocacy import cases_fixtures
from tests.advocacy.cases_fixtures import (
    PRIVATE_NOTE,
    PRIVATE_TITLE,
    TODAY,
    case_for,
    other_member,
    pdf_file,
    with_private_and_shared,
)

today = cases_fixtures.today  # a fixture


@pytest.fixture
def case(member, director):
    return case_for(member, director)


def test_the_case_page_shows_the_case_and_records_the_view(client, case, director):
    with_private_and_shared(case, director)
    client.force_login(director)
    response = client.get(reverse("advocacy:case_detail", args=[case.pk]), REMOTE_ADDR="203.0.113.9")
    html = response.content.decode()
    assert response.status_code == 200
    for text in [case.number, case.title, "Tamika Shelton", "Principal Dana Reed", "Evaluation", PRIVATE_NOTE,
                 PRIVATE_TITLE, "We filed the level 1 grievance today.", "District grievance policy (MSBA model GAE)"]:
        assert text in html, text
    entry = AuditLog.objects.get(action="advocacy.case_viewed")
    assert entry.actor == director and entry.ip_address == "203.0.113.9" and entry.subject_id == str(case.pk)


def test_editing_the_case_is_audited_field_by_field(client, case, director):
    client.force_login(director)
    url = reverse("advocacy:case_edit", args=[case.pk])
    assert client.get(url).status_code == 200
    data = {"title": "Reprimand and transfer", "district": case.district_id, "worksite": case.worksite_id or "",
            "supervisor": "Principal Reed", "issue_category": case.issue_category_id, "policy_cited": "GAE",
            "facts": case.facts, "remedy_sought": case.remedy_sought, "current_step": case.current_step_id or "",
            "status": "on_hold"}
    response = client.post(url, data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "Reprimand and transfer" and case.status == "on_hold" and case.policy_cited == "GAE"
    entry = AuditLog.objects.get(action="advocacy.case_changed")
    assert entry.changes["title"] == ["Reprimand without a hearing", "Reprimand and transfer"]


def test_status_cannot_be_closed_by_editing(case, director):
    with pytest.raises(AdvocacyError):
        case_update_fields(case=case, data={"status": "closed"}, actor=director)


def test_close_with_an_outcome_then_reopen(client, case, director, today):
    client.force_login(director)
    url = reverse("advocacy:case_close", args=[case.pk])
    data = {"outcome": "settled", "remedy_obtained": "Reprimand removed from the file.", "closed_on": TODAY.isoformat()}
    assert "Check, then confirm" in client.post(url, data).content.decode()
    client.post(url, {**data, "confirm": "1"})
    case.refresh_from_db()
    assert case.status == "closed" and case.outcome == "settled" and case.closed_on == TODAY
    case_close(case=case, outcome="lost", remedy_obtained="", closed_on=TODAY, actor=director)  # twice: no change
    case.refresh_from_db()
    assert case.outcome == "settled"
    assert case.events.filter(kind="status", shared=True).count() == 1
    client.post(reverse("advocacy:case_reopen", args=[case.pk]), {"reason": "The district broke the settlement."})
    case.refresh_from_db()
    assert case.status == "open" and case.outcome == "" and case.closed_on is None
    assert AuditLog.objects.filter(action__in=["advocacy.case_closed", "advocacy.case_reopened"]).count() == 2
    with pytest.raises(AdvocacyError):
        case_close(case=case, outcome="nonsense", remedy_obtained="", closed_on=TODAY, actor=director)
    case_close(case=case, outcome="won", remedy_obtained="", closed_on=TODAY, actor=director)
    with pytest.raises(AdvocacyError):
        case_reopen(case=case, reason=" ", today=TODAY, actor=director)


def test_grievants_are_added_among_visible_members_and_one_always_stays(client, case, director, world, member):
    colleague = other_member(world, "colleague@example.org")
    stranger = other_member(world, "stranger@example.org", district=world.district_b)
    client.force_login(director)
    url = reverse("advocacy:case_grievant_add", args=[case.pk])
    client.post(url, {"member_number": colleague.member.member_number})
    refused = client.post(url, {"member_number": stranger.member.member_number})  # region B: not visible
    assert refused.status_code == 400 and "No member you may see" in refused.content.decode()
    assert set(case.grievants.all()) == {member.member, colleague.member}
    client.post(reverse("advocacy:case_grievant_remove", args=[case.pk, colleague.member.pk]))
    assert list(case.grievants.all()) == [member.member]
    with pytest.raises(AdvocacyError):
        case_grievant_remove(case=case, member=member.member, actor=director)
    # A group grievance: the added member sees the case too.
    client.post(url, {"member_number": colleague.member.member_number})
    client.force_login(colleague)
    assert client.get(reverse("advocacy:my_case", args=[case.pk])).status_code == 200


def test_a_shared_update_emails_the_member_without_its_text(client, case, director, member):
    client.force_login(director)
    client.post(reverse("advocacy:case_update", args=[case.pk]), {"update-body": "The hearing is set for Dec 9."})
    client.post(reverse("advocacy:case_note", args=[case.pk]), {"note-body": PRIVATE_NOTE})
    assert CaseUpdate.objects.get().body == "The hearing is set for Dec 9."
    assert CaseNote.objects.get().body == PRIVATE_NOTE
    email = EmailDelivery.objects.get(template_name="advocacy-case-update")
    assert email.to == member.email and email.subject == "Your case has an update"
    assert "Dec 9" not in email.body_text + email.body_html and PRIVATE_NOTE not in email.body_text
    assert "note" not in AuditLog.objects.get(action="advocacy.note_added").changes  # its text stays out of the trail


def test_the_member_replies_and_the_director_is_told(client, case, director, member):
    client.force_login(member)
    response = client.post(reverse("advocacy:my_case_reply", args=[case.pk]), {"body": "Thank you, I will be there."})
    assert response.status_code == 302
    reply = CaseUpdate.objects.get()
    assert reply.by_member and reply.author == member
    assert EmailDelivery.objects.get(template_name="advocacy-case-reply").to == director.email
    client.force_login(director)
    assert "Thank you, I will be there." in client.get(reverse("advocacy:case_detail", args=[case.pk])).content.decode()


def test_documents_uploaded_private_then_shared(client, case, director, member):
    client.force_login(director)
    client.post(reverse("advocacy:case_documents", args=[case.pk]), {"documents": [pdf_file("strategy.pdf")]})
    link = case.documents.get()
    assert not link.shared
    client.force_login(member)
    member_url = reverse("advocacy:my_case_document", args=[case.pk, link.document_id])
    assert client.get(member_url).status_code == 404
    assert client.get(reverse("document_download", args=[link.document_id])).status_code == 404
    client.force_login(director)
    client.post(reverse("advocacy:case_document_share", args=[case.pk, link.document_id]), {"shared": "1"})
    client.force_login(member)
    response = client.get(member_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert AuditLog.objects.filter(action="advocacy.document_downloaded", subject_id=str(case.pk)).count() == 1
    assert AuditLog.objects.filter(action="advocacy.document_shared").count() == 1
    # Opened straight through the core's download door, it is recorded too (the kind's on_open hook).
    assert client.get(reverse("document_download", args=[link.document_id])).status_code == 200
    opened = AuditLog.objects.filter(action="advocacy.document_downloaded", subject_id=str(case.pk))
    assert opened.count() == 2 and opened.latest("pk").actor == member


def test_a_member_adds_a_document_they_can_open_and_staff_see(client, case, director, member):
    client.force_login(member)
    client.post(reverse("advocacy:my_case_documents", args=[case.pk]), {"documents": [pdf_file("my-statement.pdf")]})
    link = case.documents.get()
    assert link.added_by == member and not link.shared
    assert "my-statement.pdf" in client.get(reverse("advocacy:my_case", args=[case.pk])).content.decode()
    client.force_login(director)
    assert client.get(reverse("advocacy:case_document", args=[case.pk, link.document_id])).status_code == 200


def test_the_audit_page_is_for_region_managers_only(client, case, director, region_manager, admin_user):
    client.force_login(director)
    client.get(reverse("advocacy:case_detail", args=[case.pk]))
    url = reverse("advocacy:case_audit", args=[case.pk])
    assert client.get(url).status_code == 403
    for user in (region_manager, admin_user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and "Case page viewed" in response.content.decode()
        assert "director@example.org" in response.content.decode()


def test_the_case_list_filters_by_status(client, member, director, director2, world):
    open_case = case_for(member, director, title="Open one")
    closed = case_for(member, director, title="Closed one")
    GrievanceCase.objects.filter(pk=closed.pk).update(status="closed", outcome="won", closed_on=date(2026, 11, 1))
    other = other_member(world, "delta@example.org", district=world.district_b)
    case_for(other, director2, title="Delta case")
    client.force_login(director)
    html = client.get(reverse("advocacy:case_list")).content.decode()
    assert "Open one" in html and "Closed one" in html and "Delta case" not in html
    html = client.get(reverse("advocacy:case_list"), {"status": "closed"}).content.decode()
    assert "Closed one" in html and "Open one" not in html
    assert open_case.number in client.get(reverse("advocacy:case_list")).content.decode()


def test_panels_of_other_areas_render_on_the_case_page(client, case, director):
    from advocacy import case_panels

    seen = []
    # Any template will do (the deadlines and reports areas bring their own): this one says something
    # the case page itself never does.
    case_panels.register_case_panel("test-panel", template="advocacy/dashboard/_intake.html",
                                    context=lambda case, request: seen.append(case.pk) or {}, order=1)
    try:
        client.force_login(director)
        html = client.get(reverse("advocacy:case_detail", args=[case.pk])).content.decode()
        assert "No new requests for help." in html and seen == [case.pk]
    finally:
        case_panels._PANELS.pop("test-panel", None)


@pytest.mark.parametrize("model", ["representationrequest", "grievancecase", "attorneyreferral", "liabilityclaim",
                                   "caseupdate", "casedocument"])
def test_the_admin_lists_requests_and_cases_read_only(client, case, admin_user, model):
    client.force_login(admin_user)
    assert client.get(f"/admin/advocacy/{model}/").status_code == 200
    assert client.get(f"/admin/advocacy/{model}/add/").status_code == 403
