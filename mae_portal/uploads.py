"""Uploaded files, through one service: `upload_store(file=, kind=, subject=, actor=, owner=)`.

An upload becomes a StoredDocument (origin "uploaded") of a registered kind, belonging to a subject,
opened only through the download view and the kind's scope. Before anything is stored:

- size: not empty, at most settings.UPLOAD_MAX_BYTES (10 MB by default);
- type: detected from the content by libmagic (python-magic), never from the name or the browser's
  Content-Type, and one of the kind's `upload_types` (by default PDF, JPEG, PNG, Word .docx);
- name: its extension must agree with the detected type (an HTML page named .pdf, a program named
  .docx are refused). The name is kept only for display, without path parts or control characters;
  the storage name is generated (documents/<yyyy>/<mm>/<uuid>.<ext>);
- PDF: a PDF holding JavaScript or a launch action (/JS, /JavaScript, /Launch, in the file or in its
  compressed streams) is refused, not merely flagged: nobody at MAE needs a scripted PDF;
- scan: settings.UPLOAD_SCANNER, a dotted path to a callable(data=, name=, content_type=) that raises
  UploadRefused for a bad file (none by default).

A refusal raises UploadRefused with a sentence a member understands, and stores nothing: no row, no file.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib

import magic
from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.module_loading import import_string

from mae_portal.audit import audit_record
from mae_portal.documents import DOCX, JPEG, PDF, PNG, check_subject, document_kind, safe_filename
from mae_portal.models import StoredDocument

# The extensions a name may end in for each type we accept (the first is the one we store under).
EXTENSIONS = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg"), PNG: (".png",), DOCX: (".docx",)}
TYPE_NAMES = {PDF: "PDF", JPEG: "JPEG image", PNG: "PNG image", DOCX: "Word document (.docx)"}

_PDF_ACTIVE = re.compile(rb"/(JS|JavaScript|Launch)(?![A-Za-z0-9])")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.S)
_INFLATE_LIMIT = 50 * 1024 * 1024  # a compression bomb is refused, not inflated without end


class UploadRefused(Exception):
    """An upload we will not keep; `message` says why, in words for the person who sent it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def display_name(name: str) -> str:
    """The file's own name (no folders), without control or format characters, at most 200 characters."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").split("/")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().lstrip(".").strip()
    return name[:200] or "upload"


def detect_type(data: bytes) -> str:
    """The mime type of `data`, from its content."""
    detected = magic.from_buffer(data, mime=True)
    if detected in ("application/zip", "application/octet-stream") and _is_docx(data):
        return DOCX  # a .docx written without [Content_Types].xml first, which libmagic looks for
    return detected


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def pdf_has_active_content(data: bytes) -> bool:
    """Whether a PDF holds JavaScript or a launch action: /JS, /JavaScript (also behind an /OpenAction
    or /AA) or /Launch, written plainly, with #xx escapes in the name, or inside a Flate-compressed
    stream (object streams hide dictionaries there). A stream too large to inflate counts as active."""
    if _PDF_ACTIVE.search(_unescape_names(data)):
        return True
    inflated = 0
    for match in _PDF_STREAM.finditer(data):
        decompressor = zlib.decompressobj()
        try:
            chunk = decompressor.decompress(match.group(1), _INFLATE_LIMIT - inflated)
        except zlib.error:
            continue  # not a Flate stream (an image, say): nothing a viewer would run
        inflated += len(chunk)
        if decompressor.unconsumed_tail or inflated >= _INFLATE_LIMIT:
            return True
        if _PDF_ACTIVE.search(_unescape_names(chunk)):
            return True
    return False


def _unescape_names(data: bytes) -> bytes:
    return _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _read_within_limit(file, limit: int) -> bytes:
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise UploadRefused(f"The file is larger than {filesizeformat(limit)}. Please send a smaller file.")
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(f"The file is larger than {filesizeformat(limit)}. Please send a smaller file.")
    return data


def upload_check(*, data: bytes, name: str, allowed: frozenset) -> str:
    """Check an upload's content against its name and the allowed types; returns the detected type.
    Raises UploadRefused."""
    if not data:
        raise UploadRefused("The file is empty. Please choose the file again.")
    accepted = _in_words(allowed)
    detected = detect_type(data)
    if detected not in allowed:
        raise UploadRefused(f"This file is not a file we can accept. Please send a {accepted}.")
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS.get(detected, ()):
        what = TYPE_NAMES.get(detected, detected)
        raise UploadRefused(f"The file's name does not match what is in it (it is a {what}). "
                            f"Please send a {accepted} with its usual name.")
    if detected == PDF and pdf_has_active_content(data):
        raise UploadRefused("This PDF contains scripts or actions that run when it is opened, so we cannot accept it. "
                            "Please save it again as a plain PDF (for example with Print to PDF) and send that.")
    return detected


def _in_words(types) -> str:
    names = [TYPE_NAMES[t] for t in TYPE_NAMES if t in types] + sorted(t for t in types if t not in TYPE_NAMES)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _scan(*, data: bytes, name: str, content_type: str) -> None:
    if settings.UPLOAD_SCANNER:
        import_string(settings.UPLOAD_SCANNER)(data=data, name=name, content_type=content_type)


def _create_next_copy(*, kind, subject, **fields) -> StoredDocument:
    """A subject may hold several uploads of one kind (a case's documents): each takes the next copy number.
    Two uploads racing for the same number: the loser takes the one after."""
    lookup = {"kind": kind, "subject_type": ContentType.objects.get_for_model(subject), "subject_id": str(subject.pk)}
    for attempt in range(5):
        last = StoredDocument.objects.filter(**lookup).aggregate(last=Max("copy_number"))["last"]
        try:
            with transaction.atomic():
                return StoredDocument.objects.create(**lookup, copy_number=0 if last is None else last + 1, **fields)
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def upload_store(*, file, kind: str, subject, actor, owner=None) -> StoredDocument:
    """Keep an uploaded file as a ready StoredDocument of `kind` belonging to `subject`, or raise
    UploadRefused (and store nothing). `file` is a Django UploadedFile (or any file object with a name)."""
    spec = document_kind(kind)
    check_subject(spec, subject)
    name = display_name(getattr(file, "name", ""))
    data = _read_within_limit(file, settings.UPLOAD_MAX_BYTES)
    content_type = upload_check(data=data, name=name, allowed=spec.upload_types)
    _scan(data=data, name=name, content_type=content_type)

    document = _create_next_copy(
        kind=kind, subject=subject, owner=owner, origin=StoredDocument.Origin.UPLOADED, content_type=content_type,
        original_name=name, title=name, download_name=safe_filename(name, default="upload" + EXTENSIONS[content_type][0]),
        status=StoredDocument.Status.READY, size=len(data), ready_at=timezone.now(),
    )
    document.file.save(f"{document.pk}{EXTENSIONS[content_type][0]}", ContentFile(data), save=False)
    stored = document.file.name
    try:
        document.save(update_fields=["file"])
        audit_record(actor=actor, action="document.uploaded", obj=document,
                     changes={"kind": kind, "name": name, "type": content_type, "size": len(data)})
    except BaseException:
        document.file.storage.delete(stored)  # the row goes with the transaction; the file goes here
        raise
    return document


class DocumentUploadField(forms.FileField):
    """A file field for an upload kind: the browser's picker offers the allowed types."""

    def __init__(self, *, types=frozenset(EXTENSIONS), **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ",".join(sorted(e for t in types for e in EXTENSIONS.get(t, ()))))


class UploadFormMixin:
    """For a form with a file field: `store_upload(field, kind=, subject=, actor=)` keeps the file through
    upload_store, or turns its refusal into an error next to the field and returns None."""

    def store_upload(self, field: str, *, kind: str, subject, actor, owner=None) -> StoredDocument | None:
        try:
            return upload_store(file=self.cleaned_data[field], kind=kind, subject=subject, actor=actor, owner=owner)
        except UploadRefused as refusal:
            self.add_error(field, refusal.message)
            return None
