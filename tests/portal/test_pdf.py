"""PDFs: rendering, the URL fetcher that keeps WeasyPrint inside the portal's static files, the
member-record PDF from request to download."""

import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader
from weasyprint import HTML

from mae_portal.celery import app as celery_app
from mae_portal.models import AuditLog, EmailDelivery, StoredDocument
from mae_portal.pdf import PDF_BASE_URL, PortalURLFetcher, UnsafeResourceError, render_pdf
from mae_portal.permissions import Groups
from mae_portal.tasks import build_document
from members.services.profile import member_record_pdf_request
from tests.conftest import _with_mfa
from tests.factories import MemberFactory, UserFactory

STATIC_CSS_URL = PDF_BASE_URL + "static/css/pdf.css"
HOSTILE = '<img src="file:///etc/passwd">'


def pdf_text(data: bytes) -> str:
    """The PDF's text, whitespace collapsed (a table cell may wrap)."""
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def fetched(monkeypatch):
    """Every URL the PDF renderer asks the fetcher for, in order."""
    urls = []
    original = PortalURLFetcher.fetch

    def spy(self, url, headers=None):
        urls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(PortalURLFetcher, "fetch", spy)
    return urls


@pytest.fixture
def template_strings(settings):
    """template_strings({"name.html": "..."}): Django loads templates from these strings only."""

    def use(templates):
        settings.TEMPLATES = [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": False,
                "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", templates)]},
            }
        ]

    return use


@pytest.fixture
def eager_celery():
    """Tasks run inline, as in development, whatever the environment says about a broker."""
    conf = celery_app.conf
    saved = conf.task_always_eager
    conf.task_always_eager = True
    yield
    conf.task_always_eager = saved


def _record_context(member):
    return {"member": member, "document": SimpleNamespace(created_at=timezone.now())}


# --- render_pdf ----------------------------------------------------------------------------------------------------


def test_render_pdf_contains_the_member_record(db, fetched):
    member = MemberFactory(legal_first_name="Tamika", legal_last_name="Shelton", job_title="School bus driver")

    text = pdf_text(render_pdf("members/pdf/member_record.html", _record_context(member)))

    assert "Tamika Shelton" in text
    assert str(member.member_number) in text
    assert "School bus driver" in text
    assert fetched == [STATIC_CSS_URL]  # the stylesheet, from the static files, and nothing else


def test_member_text_with_html_is_escaped_and_fetches_nothing(db, fetched):
    member = MemberFactory(
        legal_first_name="Tamika",
        legal_last_name="<b>Shelton</b>",
        preferred_name=HOSTILE,
        address_line1='<link rel="stylesheet" href="http://127.0.0.1/x.css"><iframe src="/etc/passwd">',
    )

    text = pdf_text(render_pdf("members/pdf/member_record.html", _record_context(member)))

    squashed = "".join(text.split())  # a long cell wraps wherever it likes

    assert HOSTILE.replace(" ", "") in squashed  # shown as text, not an image
    assert "Tamika <b>Shelton</b>" in text
    assert '<linkrel="stylesheet"href="http://127.0.0.1/x.css"><iframesrc="/etc/passwd">' in squashed
    assert fetched == [STATIC_CSS_URL]


# --- PortalURLFetcher ------------------------------------------------------------------------------------------------

REFUSED = [
    "file:///etc/passwd",
    "/etc/passwd",  # resolves to https://portal.invalid/etc/passwd
    "http://127.0.0.1/latest/meta-data/",
    "http://portal.invalid/static/css/pdf.css",  # the portal's path, but over http
    "https://portal.invalid/static/../../etc/passwd",
    "static/../../etc/passwd",
    "https://portal.invalid/static/css/../css/pdf.css",  # no dot segments at all
    "https://portal.invalid/static/%2e%2e/%2e%2e/etc/passwd",
    "https://portal.invalid/static/..%2f..%2fsettings.py",
    "https://portal.invalid/static/css/missing.css",
    "https://portal.invalid/media/documents/someone-else.pdf",
    "https://example.org/static/css/pdf.css",  # another host, same path
    "//example.org/static/css/pdf.css",
    "https://portal.invalid.example.org/static/css/pdf.css",
    "https://portal.invalid@example.org/static/css/pdf.css",
    "ftp://example.org/pdf.css",
]


@pytest.mark.parametrize("url", REFUSED)
def test_fetcher_refuses(url):
    absolute = url if re.match(r"^[a-z]+:", url) else ("https:" + url if url.startswith("//") else PDF_BASE_URL + url.lstrip("/"))
    with pytest.raises(UnsafeResourceError):
        PortalURLFetcher().fetch(absolute)


@pytest.mark.parametrize("url", REFUSED)
@pytest.mark.parametrize(
    "template",
    [
        '<link rel="stylesheet" href="{url}"><p>Hello</p>',
        '<p>Hello</p><img src="{url}" alt="">',
        '<style>body {{ background: url("{url}"); }}</style><p>Hello</p>',
        '<style>@import url("{url}");</style><p>Hello</p>',
    ],
    ids=["link", "img", "css-url", "css-import"],
)
def test_rendering_stops_on_a_refused_resource(url, template, template_strings, fetched):
    # The template's own markup (not member text: that is escaped) references the resource.
    template_strings({"t.html": template.format(url=url)})
    with pytest.raises(UnsafeResourceError):
        render_pdf("t.html", {})
    assert fetched  # the fetcher was asked, and refused


def test_rendering_stops_on_an_absolute_path_under_static(template_strings):
    # static//etc/passwd: an absolute path under the static prefix is refused like any other URL.
    template_strings({"t.html": '<img src="https://portal.invalid/static//etc/passwd">'})
    with pytest.raises(UnsafeResourceError):
        render_pdf("t.html", {})


def test_fetcher_serves_static_files():
    response = PortalURLFetcher().fetch(STATIC_CSS_URL + "?v=1#x")
    assert response.content_type == "text/css"
    assert response.read() == Path(finders.find("css/pdf.css")).read_bytes()


def test_fetcher_allows_data_urls(template_strings, fetched):
    pixel = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
    template_strings({"t.html": f'<p>Hello</p><img src="{pixel}" alt="">'})
    assert pdf_text(render_pdf("t.html", {})) == "Hello"
    assert fetched == [pixel]


def test_static_tag_reference_is_allowed(template_strings, fetched):
    template_strings({"t.html": "{% load static %}<link rel=\"stylesheet\" href=\"{% static 'css/pdf.css' %}\"><h1>Hi</h1>"})
    assert "Hi" in pdf_text(render_pdf("t.html", {}))
    assert fetched == [STATIC_CSS_URL]


def test_fetcher_direct_weasyprint_use():
    # The same fetcher works for HTML built without render_pdf.
    html = HTML(string='<link rel="stylesheet" href="/static/css/pdf.css"><p>x</p>', base_url=PDF_BASE_URL,
                url_fetcher=PortalURLFetcher())
    assert html.write_pdf().startswith(b"%PDF-")
    evil = HTML(string='<img src="file:///etc/passwd">', base_url=PDF_BASE_URL, url_fetcher=PortalURLFetcher())
    with pytest.raises(UnsafeResourceError):
        evil.write_pdf()


# --- The member-record PDF, end to end -----------------------------------------------------------------------------


@pytest.fixture
def member_user(db):
    user = UserFactory(email="tamika@example.org", first_name="Tamika", last_name="Shelton")
    MemberFactory(user=user, legal_first_name="Tamika", legal_middle_name="Renee", legal_last_name="Shelton",
                  email=user.email)
    return user


def test_member_record_pdf_end_to_end(member_user, eager_celery, django_capture_on_commit_callbacks):
    member = member_user.member
    with django_capture_on_commit_callbacks(execute=True):
        document = member_record_pdf_request(member=member, actor=member_user)

    document.refresh_from_db()
    assert document.status == StoredDocument.Status.READY
    assert document.ready_at is not None
    assert document.download_name == f"mae-member-record-{member.member_number}.pdf"
    assert not any(c in document.file.name for c in "<>\"' ") and document.file.name.endswith(f"{document.pk}.pdf")
    with document.file.open("rb") as f:
        data = f.read()
    assert document.size == len(data)
    text = pdf_text(data)
    assert "Tamika Renee Shelton" in text
    assert str(member.member_number) in text

    deliveries = EmailDelivery.objects.filter(template_name="document-ready")
    assert deliveries.count() == 1
    delivery = deliveries.get()
    assert delivery.idempotency_key == f"document-ready:{document.pk}"
    assert delivery.to == member_user.email
    assert delivery.status == EmailDelivery.Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member_user.email]
    assert "member record" in mail.outbox[0].subject
    assert not mail.outbox[0].attachments  # the PDF itself never goes by email

    # The task running again (a replayed message) renders nothing and sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        build_document(str(document.pk))
    assert EmailDelivery.objects.filter(template_name="document-ready").count() == 1
    assert len(mail.outbox) == 1


def test_asking_twice_while_pending_makes_one_document(member_user, eager_celery, django_capture_on_commit_callbacks):
    member = member_user.member
    with django_capture_on_commit_callbacks() as callbacks:
        first = member_record_pdf_request(member=member, actor=member_user)
        second = member_record_pdf_request(member=member, actor=member_user)

    assert first.pk == second.pk
    assert StoredDocument.objects.filter(owner=member_user).count() == 1
    assert len(callbacks) == 1  # one build queued; the second request's was rolled back with it
    assert AuditLog.objects.filter(action="member.record_pdf_requested").count() == 1

    callbacks[0]()
    first.refresh_from_db()
    assert first.status == StoredDocument.Status.READY

    # Once it is ready, asking again makes a fresh copy.
    with django_capture_on_commit_callbacks(execute=True):
        third = member_record_pdf_request(member=member, actor=member_user)
    assert third.pk != first.pk
    assert StoredDocument.objects.filter(owner=member_user, status=StoredDocument.Status.READY).count() == 2


# --- Download ----------------------------------------------------------------------------------------------------------------


@pytest.fixture
def ready_document(member_user, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = member_record_pdf_request(member=member_user.member, actor=member_user)
    document.refresh_from_db()
    assert document.status == StoredDocument.Status.READY
    return document


def _download(client, user, document):
    if user is not None:
        client.force_login(user)
    response = client.get(f"/documents/{document.pk}/")
    # Reading a streaming response to the end closes it (and the file); the test client closed any other.
    # (Closing one again here would fire request_finished and drop the test's database connection.)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_owner_downloads_their_document(client, member_user, ready_document):
    response, body = _download(client, member_user, ready_document)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{ready_document.download_name}"'
    assert re.fullmatch(r'attachment; filename="mae-member-record-\d+\.pdf"', response["Content-Disposition"])
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert body.startswith(b"%PDF-")
    assert str(member_user.member.member_number) in pdf_text(body)


def test_membership_staff_download_any_document(client, ready_document):
    staff = _with_mfa(UserFactory(email="staff@example.org", groups=[Groups.MEMBERSHIP_STAFF]))
    response, body = _download(client, staff, ready_document)
    assert response.status_code == 200
    assert body.startswith(b"%PDF-")


def test_membership_staff_without_mfa_are_sent_to_set_it_up(client, ready_document):
    staff = UserFactory(email="staff@example.org", groups=[Groups.MEMBERSHIP_STAFF])
    response, _ = _download(client, staff, ready_document)
    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"]


@pytest.mark.parametrize("who", ["other member", "outsider", "uniserv director"])
def test_others_get_404(client, ready_document, who):
    if who == "other member":
        user = UserFactory(email="other@example.org")
        MemberFactory(user=user, email=user.email)
    elif who == "outsider":
        user = UserFactory(email="outsider@example.org")
    else:
        user = _with_mfa(UserFactory(email="director@example.org", groups=[Groups.UNISERV_DIRECTORS]))
    response, _ = _download(client, user, ready_document)
    assert response.status_code == 404


def test_anonymous_gets_404(client, ready_document):
    response, _ = _download(client, None, ready_document)
    assert response.status_code == 404


def test_pending_or_failed_document_is_not_downloadable(client, member_user):
    for status in (StoredDocument.Status.PENDING, StoredDocument.Status.FAILED):
        document = StoredDocument.objects.create(
            owner=member_user, kind="member_record", title="Copy", download_name="x.pdf",
            status=status,
        )
        response, _ = _download(client, member_user, document)
        assert response.status_code == 404, status
