"""Uploads through mae_portal.uploads.upload_store: what is refused (with a sentence a member understands,
and nothing stored: no row, no file), what is kept (under a generated name), and the form error."""

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from weasyprint import HTML

from mae_portal.documents import DocumentKind, register_document_kind, unregister_document_kind
from mae_portal.models import StoredDocument
from mae_portal.uploads import (
    DocumentUploadField,
    UploadFormMixin,
    UploadRefused,
    display_name,
    pdf_has_active_content,
    upload_store,
)

KIND = "test_upload"


@pytest.fixture
def upload_kind():
    # No app takes uploads yet: a kind for this test only, opened by the person it is for.
    register_document_kind(DocumentKind(name=KIND, label="Test upload", visible_to=lambda user: Q(owner=user)))
    yield KIND
    unregister_document_kind(KIND)


def good_pdf() -> bytes:
    return HTML(string="<p>My evaluation</p>").write_pdf()


def good_png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


def good_jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def good_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.7\n1 0 obj\n" + body + b"\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(name, data, member, content_type="application/pdf"):
    return upload_store(file=SimpleUploadedFile(name, data, content_type=content_type), kind=KIND, subject=member,
                        actor=member, owner=member)


JS_IN_STREAM = zlib.compress(b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>")

REFUSED = [
    ("oversize", "big.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), "larger than 10.0"),
    ("html named .pdf", "letter.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
     "not a file we can accept"),
    ("ELF named .docx", "resume.docx", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120, "not a file we can accept"),
    ("MZ named .docx", "resume.docx", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120, "not a file we can accept"),
    ("zero bytes", "empty.pdf", b"", "The file is empty"),
    ("PDF with /JS", "form.pdf", pdf_with(b"<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"),
     "contains scripts"),
    ("PDF with an escaped name", "form.pdf", pdf_with(b"<< /OpenAction << /S /Java#53cript /J#53 (x) >> >>"),
     "contains scripts"),
    ("PDF with JS in a compressed stream", "form.pdf",
     pdf_with(b"<< /Type /ObjStm /Filter /FlateDecode /Length %d >>\nstream\n" % len(JS_IN_STREAM) + JS_IN_STREAM
              + b"\nendstream"), "contains scripts"),
    ("PNG named .jpg", "photo.jpg", good_png(), "does not match what is in it"),
    ("PDF named .docx", "resume.docx", good_pdf(), "does not match what is in it"),
    ("no extension", "resume", good_pdf(), "does not match what is in it"),
]


@pytest.mark.parametrize(("name", "data", "message"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_refused_with_a_clear_message_and_nothing_stored(member, upload_kind, settings, name, data, message):
    with pytest.raises(UploadRefused) as refused:
        upload(name, data, member)
    assert message in refused.value.message
    assert refused.value.message.endswith(".") and "Please" in refused.value.message  # says what to do instead
    assert StoredDocument.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("Evaluation 2026.pdf", good_pdf(), "application/pdf"),
    ("badge.png", good_png(), "image/png"),
    ("photo.JPEG", good_jpeg(), "image/jpeg"),
    ("statement.docx", good_docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_good_files_are_kept_under_a_generated_name(member, upload_kind, settings, name, data, content_type):
    document = upload(name, data, member, content_type="application/octet-stream")  # the browser's word is ignored
    assert document.origin == "uploaded" and document.status == "ready" and document.owner == member
    assert document.content_type == content_type and document.size == len(data)
    assert document.original_name == name and document.subject == member
    assert Path(document.file.name).name.startswith(str(document.pk))
    files = stored_files(settings)
    assert len(files) == 1 and files[0].read_bytes() == data


def test_a_path_traversal_name_is_stored_under_a_generated_name_and_shown_cleaned(member, upload_kind, settings):
    # Kept, not refused: the name is only for display; the file goes where the portal says.
    document = upload("../../etc/passwd.pdf", good_pdf(), member)
    assert document.original_name == "passwd.pdf" and document.download_name == "passwd.pdf"
    assert ".." not in document.file.name and "passwd" not in document.file.name
    (stored,) = stored_files(settings)
    assert stored.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve() / "documents")
    assert not Path("/etc/passwd.pdf").exists()


@pytest.mark.parametrize(("raw", "shown"), [
    ("..\\..\\Windows\\evil.pdf", "evil.pdf"),
    ("report\x00.pdf\r\n", "report.pdf"),
    ("\u202egpj.pdf", "gpj.pdf"),  # a right-to-left override would disguise the extension
    ("/", "upload"),
    ("..", "upload"),
])
def test_display_names_lose_paths_and_control_characters(raw, shown):
    assert display_name(raw) == shown


def refuse_everything(*, data, name, content_type):
    raise UploadRefused("Our virus check did not pass this file. Please call us.")


def test_the_scanner_hook_can_refuse(member, upload_kind, settings):
    settings.UPLOAD_SCANNER = "tests.portal.test_uploads.refuse_everything"
    with pytest.raises(UploadRefused, match="virus check"):
        upload("ok.pdf", good_pdf(), member)
    assert StoredDocument.objects.count() == 0 and stored_files(settings) == []


def test_the_size_limit_is_a_setting(member, upload_kind, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(UploadRefused, match="larger than 1.0"):
        upload("ok.pdf", good_pdf(), member)


def test_plain_pdfs_are_not_taken_for_scripted_ones():
    assert not pdf_has_active_content(good_pdf())
    assert not pdf_has_active_content(pdf_with(b"<< /JSON (a name that only starts the same) >>"))


class EvidenceForm(UploadFormMixin, forms.Form):
    evidence = DocumentUploadField(label="Evidence")


def test_the_form_shows_the_refusal_next_to_the_field(member, upload_kind, settings):
    form = EvidenceForm(files={"evidence": SimpleUploadedFile("notes.pdf", b"<html>hi</html>")})
    assert form.is_valid()
    assert form.store_upload("evidence", kind=KIND, subject=member, actor=member, owner=member) is None
    assert form.errors["evidence"] == ["This file is not a file we can accept. Please send a PDF, JPEG image, "
                                       "PNG image or Word document (.docx)."]
    assert 'accept=".docx,.jpeg,.jpg,.pdf,.png"' in str(form["evidence"])
    assert StoredDocument.objects.count() == 0 and stored_files(settings) == []


def test_an_upload_downloads_through_the_door_with_its_type(client, member, leader, upload_kind):
    document = upload("badge.png", good_png(), member)
    client.force_login(member)
    response = client.get(f"/documents/{document.pk}/")
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and body == good_png()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="badge.png"'
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    client.force_login(leader)
    assert client.get(f"/documents/{document.pk}/").status_code == 404
