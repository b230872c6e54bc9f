"""Letters of support: the writer's emailed link opens only that letter's upload page (404 for a bad token,
410 once received, after the deadline or once the nomination is no longer a draft); refused uploads (wrong
type, too big, JavaScript in a PDF) store nothing; who may open a letter."""

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from esp.models import AwardCycle, SupportLetter
from esp.services import nominations as services
from mae_portal.models import EmailDelivery, StoredDocument
from members import clock
from tests.esp.test_nominations import cycle, letter_pdf, nominee, open_cycle  # noqa: F401 (fixtures)
from tests.factories import MemberFactory, UserFactory


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


JS_PDF = (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\nendobj\n"
          b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")


def files_stored(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def nomination(cycle, nominee, member):  # noqa: F811
    return services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                     today=clock.today())


@pytest.fixture
def requested(nomination, member):
    services.letter_request(nomination=nomination, writer_name="Dr. Ruth Hale", writer_email="ruth.hale@example.org",
                            writer_relationship="Principal", actor=member, now=timezone.now())
    return SupportLetter.objects.get(writer_name="Dr. Ruth Hale")


def test_the_writer_gets_a_link_that_opens_their_upload_page_without_an_account(client, requested, settings):
    email = EmailDelivery.objects.get(template_name="esp-nomination-letter-request")
    link = reverse("esp:letter_upload", args=[requested.token])
    assert email.to == "ruth.hale@example.org" and link in email.body_text
    page = client.get(link)
    assert page.status_code == 200 and "Upload your letter of support" in page.content.decode()
    response = client.post(link, {"file": SimpleUploadedFile("support.pdf", letter_pdf(), content_type="application/pdf")})
    assert response.status_code == 200 and "Your letter has been received" in response.content.decode()
    requested.refresh_from_db()
    assert requested.document.kind == "esp-award-material" and requested.received_at
    assert len(files_stored(settings)) == 1
    # Once received, the link is closed.
    again = client.get(link)
    assert again.status_code == 410 and "has been received" in again.content.decode()
    assert client.post(link, {"file": SimpleUploadedFile("b.pdf", letter_pdf())}).status_code == 410
    assert len(files_stored(settings)) == 1


def test_a_bad_token_is_404(client, requested):
    assert client.get(reverse("esp:letter_upload", args=["not-a-token"])).status_code == 404
    assert client.get(reverse("esp:letter_upload", args=[requested.token[:-1] + "x"])).status_code == 404
    # The nominee's consent token is not a letter token.
    assert client.get(reverse("esp:letter_upload", args=[requested.nomination.consent_token])).status_code == 404


def test_the_link_closes_after_the_deadline(client, requested):
    AwardCycle.objects.filter(pk=requested.nomination.cycle_id).update(
        nominations_close_at=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("esp:letter_upload", args=[requested.token]))
    assert response.status_code == 410 and "Nominations closed on" in response.content.decode()


def test_the_link_closes_when_the_nomination_is_withdrawn(client, requested, member):
    services.nomination_withdraw(nomination=requested.nomination, actor=member, now=timezone.now())
    assert client.get(reverse("esp:letter_upload", args=[requested.token])).status_code == 410


def test_a_writer_link_opens_nothing_else(client, requested):
    """Holding a letter token gives no session: the nomination's pages still want a sign-in."""
    client.get(reverse("esp:letter_upload", args=[requested.token]))
    response = client.get(reverse("esp:nomination_detail", args=[requested.nomination_id]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


BAD_UPLOADS = [
    ("a PNG image is not a letter", "letter.png",
     b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a file we can accept"),
    ("an HTML page named .pdf", "letter.pdf", b"<html><script>alert(1)</script></html>", "not a file we can accept"),
    ("JavaScript in a PDF", "letter.pdf", JS_PDF, "contains scripts"),
    ("an empty file", "letter.pdf", b"", "empty"),
]


@pytest.mark.parametrize("name,filename,data,message", BAD_UPLOADS, ids=[b[0] for b in BAD_UPLOADS])
def test_refused_uploads_store_nothing(client, nomination, member, settings, name, filename, data, message):
    client.force_login(member)
    response = client.post(reverse("esp:letter_add", args=[nomination.pk]), {
        "upload-writer_name": "Coach Bell", "upload-file": SimpleUploadedFile(filename, data)})
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and 'id="id_upload-file-error"' in body
    assert not SupportLetter.objects.exists()
    assert not StoredDocument.objects.exists() and not files_stored(settings)


def test_too_big_is_refused_and_nothing_stored(client, requested, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = client.post(reverse("esp:letter_upload", args=[requested.token]),
                           {"file": SimpleUploadedFile("big.pdf", letter_pdf() + b"%" * 2000)})
    assert response.status_code == 200 and "larger than" in response.content.decode()
    requested.refresh_from_db()
    assert requested.document is None and not StoredDocument.objects.exists() and not files_stored(settings)


def test_the_nominator_uploads_a_word_letter(client, nomination, member):
    client.force_login(member)
    response = client.post(reverse("esp:letter_add", args=[nomination.pk]), {
        "upload-writer_name": "Coach Bell", "upload-writer_relationship": "Colleague",
        "upload-file": SimpleUploadedFile("bell.docx", docx())})
    assert response.status_code == 302
    letter = SupportLetter.objects.get()
    assert letter.document.content_type.endswith("wordprocessingml.document") and letter.received_at


def test_who_may_open_a_letter(client, requested, member, nominee, awards, reviewer, leader, world):  # noqa: F811
    client.post(reverse("esp:letter_upload", args=[requested.token]),
                {"file": SimpleUploadedFile("support.pdf", letter_pdf())})
    requested.refresh_from_db()
    url = reverse("document_download", args=[requested.document_id])
    other = UserFactory()
    MemberFactory(user=other, local=world.local_b)
    for user, status in [(member, 200), (nominee.user, 200), (awards, 200), (reviewer, 404), (leader, 404),
                         (other, 404)]:
        client.force_login(user)
        assert client.get(url).status_code == status, user.email
    client.logout()
    assert client.get(url).status_code == 404


def test_token_pages_are_never_cached(client, requested):
    for url in (reverse("esp:letter_upload", args=[requested.token]),
                reverse("esp:nominee_respond_token", args=[requested.nomination.consent_token])):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
