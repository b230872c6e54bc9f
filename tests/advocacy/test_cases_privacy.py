"""No private note and no private document anywhere a member can reach: every member page, the emails
the member gets, the document lists and the core's document door, for a case that has both."""

import pytest
from django.core import mail
from django.urls import reverse

from advocacy.services.cases import case_note_add, case_update_post
from mae_portal.documents import documents_visible_to
from mae_portal.models import EmailDelivery, StoredDocument
from tests.advocacy.cases_fixtures import PRIVATE_NOTE, PRIVATE_TITLE, case_for, request_for, with_private_and_shared


@pytest.fixture
def case(member, director):
    case = case_for(member, director)
    case.request = request_for(member)
    case.save(update_fields=["request"])
    with_private_and_shared(case, director)
    case_note_add(case=case, body=PRIVATE_NOTE + " (second)", actor=director)
    case_update_post(case=case, body="Your level 1 meeting is on Monday.", actor=director)
    return case


def member_pages(case, made):
    return [reverse("dashboard"), reverse("home"), reverse("documents_panel"), reverse("advocacy:my_cases"),
            reverse("advocacy:my_case", args=[case.pk]), reverse("advocacy:help"),
            reverse("advocacy:help_sent", args=[made.pk])]


def test_no_member_page_shows_a_private_note_or_document(client, case, member):
    client.force_login(member)
    for url in member_pages(case, case.request):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "PRIVATE-NOTE" not in html, url
        assert PRIVATE_TITLE not in html, url
    page = client.get(reverse("advocacy:my_case", args=[case.pk])).content.decode()
    assert "shared-letter-to-principal.pdf" in page and "Your level 1 meeting is on Monday." in page


def test_the_member_pages_after_a_failed_form_show_no_private_note(client, case, member):
    client.force_login(member)
    for url in (reverse("advocacy:my_case_reply", args=[case.pk]), reverse("advocacy:my_case_documents", args=[case.pk])):
        html = client.post(url, {}).content.decode()
        assert "PRIVATE-NOTE" not in html and PRIVATE_TITLE not in html


def test_no_email_to_the_member_carries_a_note_or_the_update_text(case, member, django_capture_on_commit_callbacks):
    to_member = EmailDelivery.objects.filter(to=member.email)
    assert to_member.exists()
    for email in to_member:
        for text in (email.subject, email.body_text, email.body_html):
            assert "PRIVATE-NOTE" not in text and PRIVATE_TITLE not in text
            assert "level 1 meeting" not in text
    for message in mail.outbox:
        assert "PRIVATE-NOTE" not in message.body


def test_the_member_cannot_open_a_private_document_by_any_door(client, case, member):
    private = StoredDocument.objects.get(title=PRIVATE_TITLE)
    assert not documents_visible_to(member).filter(pk=private.pk).exists()
    client.force_login(member)
    assert client.get(reverse("document_download", args=[private.pk])).status_code == 404
    assert client.get(reverse("advocacy:my_case_document", args=[case.pk, private.pk])).status_code == 404
    titles = set(documents_visible_to(member).values_list("title", flat=True))
    assert titles == {"shared-letter-to-principal.pdf"}


def test_another_member_sees_nothing_of_the_case(client, case, world):
    from tests.advocacy.cases_fixtures import other_member

    other = other_member(world)
    client.force_login(other)
    assert client.get(reverse("advocacy:my_case", args=[case.pk])).status_code == 404
    assert client.get(reverse("advocacy:help_sent", args=[case.request.pk])).status_code == 404
    html = client.get(reverse("advocacy:my_cases")).content.decode()
    assert case.title not in html and case.request.summary not in html
    assert not documents_visible_to(other).exists()
