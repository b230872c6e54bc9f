"""Stored documents for every app: a registry of kinds, one way to ask for a document, one build.

An app registers its kinds from its AppConfig.ready():

    register_document_kind(DocumentKind(
        name="receipt", label="Receipt", subject_model="members.Payment",
        template="members/pdf/receipt.html", context=receipt_context,
        title=lambda context: ..., download_name=lambda context: ...,
        visible_to=lambda user: Q(owner=user) | ...,
    ))

A service asks for a document with `document_request(kind=, subject=, owner=)` inside its transaction:
the PENDING row is stored first and the build is enqueued once the transaction commits, so a broker that
is down loses nothing (a sweep re-enqueues PENDING rows with `build_document.delay(str(pk))`). The build
(`document_build`) renders the kind's template with its context and marks the row READY; it runs in the
Celery task `mae_portal.tasks.build_document` or inline.

Who may open a document is the union of the kinds' scopes (`documents_visible_to`); the download view
is the one door. The core imports no app: the kinds bring their models, templates and rules.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from weasyprint.urls import FatalURLFetchingError

from mae_portal.models import StoredDocument
from mae_portal.pdf import store_pdf

log = logging.getLogger(__name__)

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEFAULT_UPLOAD_TYPES = frozenset({PDF, JPEG, PNG, DOCX})


@dataclass(frozen=True)
class DocumentKind:
    """What a kind of document is, how it is built and who may open it.

    - `visible_to(user) -> Q` over StoredDocument: who may open a document of this kind (the core adds
      the kind itself). Anonymous users never reach it.
    - `context(subject_pk) -> dict | None`: the template's context, or None when there is nothing to
      build (the subject is gone, an unpaid payment, a cancelled term). The build adds `document`.
    - `title(context)`, `download_name(context)`: what the dashboard shows and the file is called.
    - `after_build(document, context)`: runs in the build's transaction once the file is stored (an
      email with the copy); it must be idempotent, as send_email is with its key.
    - `repeatable`: each request makes a fresh copy (a copy of a record as it is today), not one per subject.
    - `upload_types`: the mime types an upload of this kind may have.
    - `on_open(document, request)`: runs each time the download door serves a document of this kind (an
      app that must record every view of its documents writes its audit row there).
    """

    name: str
    label: str
    visible_to: Callable
    subject_model: str = ""  # "app_label.Model"; empty: any row
    template: str = ""  # empty: an upload-only kind
    context: Callable | None = None
    title: Callable | None = None
    download_name: Callable | None = None
    after_build: Callable | None = None
    repeatable: bool = False
    upload_types: frozenset = field(default=DEFAULT_UPLOAD_TYPES)
    on_open: Callable | None = None


_KINDS: dict[str, DocumentKind] = {}


def register_document_kind(kind: DocumentKind) -> DocumentKind:
    """Register a kind (from an AppConfig.ready()). Registering the same name twice replaces it, so a
    test may register its own."""
    if len(kind.name) > StoredDocument._meta.get_field("kind").max_length:
        raise ValueError(f"document kind name too long: {kind.name!r}")
    _KINDS[kind.name] = kind
    return kind


def unregister_document_kind(name: str) -> None:
    _KINDS.pop(name, None)


def document_kind(name: str) -> DocumentKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no document kind {name!r} is registered") from None


def document_kinds() -> list[DocumentKind]:
    return list(_KINDS.values())


def documents_visible_to(user):
    """The documents `user` may open: for each registered kind, the documents of that kind in its scope."""
    if not user.is_authenticated or not _KINDS:
        return StoredDocument.objects.none()
    scope = reduce(or_, (Q(kind=kind.name) & kind.visible_to(user) for kind in _KINDS.values()))
    return StoredDocument.objects.filter(scope)


def documents_of(subject, *, kind: str | None = None):
    """The documents of one subject row (optionally of one kind)."""
    documents = StoredDocument.objects.filter(subject_type=ContentType.objects.get_for_model(subject),
                                              subject_id=str(subject.pk))
    return documents.filter(kind=kind) if kind else documents


def subject_filter(model, pks, *, prefix: str = "") -> Q:
    """A Q matching documents whose subject is one of `pks` of `model` (prefix: a related lookup path)."""
    return Q(**{f"{prefix}subject_type": ContentType.objects.get_for_model(model),
                f"{prefix}subject_id__in": [str(pk) for pk in pks]})


def safe_filename(name: str, *, default: str = "document") -> str:
    """A file name safe in a Content-Disposition header and on any disk: letters, digits, dot, dash and
    underscore only, no leading dot, at most 100 characters (ASVS 5.4.1)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode())
    cleaned = cleaned.strip(".-_")[:100]
    return cleaned or default


def check_subject(kind: DocumentKind, subject) -> None:
    """Refuse a subject of the wrong model for the kind (a programming error, not a user's)."""
    if kind.subject_model and subject._meta.label != kind.subject_model:
        raise TypeError(f"a {kind.name} belongs to a {kind.subject_model}, not a {subject._meta.label}")


@transaction.atomic
def document_request(*, kind: str, subject, owner=None) -> tuple[StoredDocument, bool]:
    """Ask for a generated document of `subject`; returns (document, created).

    Records the PENDING row now and enqueues its build when the transaction commits (a broker
    error is logged, the row stays PENDING for the outbox sweep). Idempotent per (kind, subject): a unique
    constraint keeps one document, and asking again for one that is PENDING or READY enqueues nothing;
    a FAILED one is made PENDING and built again. A repeatable kind makes a new copy unless one is
    already PENDING (a double submit makes one)."""
    spec = document_kind(kind)
    check_subject(spec, subject)
    lookup = {"kind": kind, "subject_type": ContentType.objects.get_for_model(subject), "subject_id": str(subject.pk)}
    defaults = {"owner": owner, "title": spec.label, "download_name": f"{kind}.pdf",
                "origin": StoredDocument.Origin.GENERATED, "content_type": PDF}
    if spec.repeatable:
        pending = StoredDocument.objects.filter(**lookup, status=StoredDocument.Status.PENDING).first()
        if pending is not None:
            return pending, False
        last = StoredDocument.objects.filter(**lookup).aggregate(last=Max("copy_number"))["last"] or 0
        try:
            with transaction.atomic():
                document = StoredDocument.objects.create(**lookup, copy_number=last + 1, **defaults)
        except IntegrityError:  # a concurrent request made this copy a moment ago
            return StoredDocument.objects.filter(**lookup).order_by("-copy_number").first(), False
        _enqueue_build(document)
        return document, True
    try:
        with transaction.atomic():
            document, created = StoredDocument.objects.get_or_create(**lookup, copy_number=0, defaults=defaults)
    except IntegrityError:
        document, created = StoredDocument.objects.get(**lookup, copy_number=0), False
    if created:
        _enqueue_build(document)
    elif document.status == StoredDocument.Status.FAILED:
        StoredDocument.objects.filter(pk=document.pk, status=StoredDocument.Status.FAILED).update(
            status=StoredDocument.Status.PENDING)
        document.status = StoredDocument.Status.PENDING
        _enqueue_build(document)
    return document, created


def _enqueue_build(document: StoredDocument) -> None:
    from mae_portal.outbox import enqueue_on_commit
    from mae_portal.tasks import build_document

    StoredDocument.objects.filter(pk=document.pk).update(enqueued_at=timezone.now())
    enqueue_on_commit(build_document, (str(document.pk),))


def document_build(*, document_id) -> StoredDocument | None:
    """Render a PENDING (or FAILED) generated document and mark it READY; returns it, or None when there
    is nothing to build (then the row is removed: its subject is gone or no longer eligible).

    Idempotent: the row is locked, and a READY document is returned as it is, so a retried or
    duplicated task renders once. A rendering failure marks the row FAILED and re-raises, for the task
    to retry and the worker to log."""
    try:
        with transaction.atomic():
            document = StoredDocument.objects.select_for_update().filter(pk=document_id).first()
            if document is None or document.status == StoredDocument.Status.READY:
                return document
            if document.origin != StoredDocument.Origin.GENERATED:
                return document
            spec = document_kind(document.kind)
            context = spec.context(document.subject_id) if document.subject_id else None
            if context is None:
                log.info("document %s (%s) has nothing to build; removed", document.pk, document.kind)
                document.delete()
                return None
            document.title = spec.title(context)[:200]
            document.download_name = spec.download_name(context)[:100]
            document.save(update_fields=["title", "download_name"])
            store_pdf(document, spec.template, {**context, "document": document})
            if spec.after_build is not None:
                spec.after_build(document, context)
            return document
    except (Exception, FatalURLFetchingError):  # the latter is a BaseException
        StoredDocument.objects.filter(pk=document_id).exclude(status=StoredDocument.Status.READY).update(
            status=StoredDocument.Status.FAILED)
        raise
