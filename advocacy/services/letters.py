"""Letter templates and case letters: a draft pre-filled from a template, edited, then made final once,
when its PDF is asked of the core's documents (built by Celery, stored on the letter, one per letter)."""

from django.db import transaction
from django.utils import timezone

from advocacy.letters import LETTER_KIND, check_letter_template, letter_context, render_letter
from advocacy.models import CaseLetter, LetterTemplate
from mae_portal.audit import audit_record, model_update
from mae_portal.documents import document_request


class LetterError(Exception):
    """A letter action that cannot be done (a final letter edited): the message is for the director."""


@transaction.atomic
def letter_template_save(*, template: LetterTemplate | None, name: str, case_kind: str, body: str, active: bool,
                         actor, ip=None) -> LetterTemplate:
    """Create or change a letter template. Its body must compile in the letter sandbox and fill in with every
    case field (ValidationError otherwise, nothing stored)."""
    check_letter_template(body)
    data = {"name": name, "case_kind": case_kind, "body": body, "active": active}
    if template is None:
        template = LetterTemplate.objects.create(**data)
        audit_record(actor=actor, action="advocacy.letter_template_created", obj=template, ip=ip,
                     changes={"name": [None, name]})
        return template
    template = LetterTemplate.objects.select_for_update().get(pk=template.pk)  # not the form's edited instance
    template, _ = model_update(instance=template, data=data, actor=actor, action="advocacy.letter_template_changed",
                               ip=ip)
    return template


def _subject(template: LetterTemplate, case) -> str:
    return f"{template.name}: case {case.number}"[:200]


@transaction.atomic
def case_letter_create(*, case, template: LetterTemplate, actor, today, ip=None) -> CaseLetter:
    """A draft letter on `case`, its subject and text filled in from `template` with the case's fields."""
    body = render_letter(template.body, letter_context(case, today=today))
    letter = CaseLetter.objects.create(case=case, template=template, subject=_subject(template, case), body=body,
                                       created_by=actor)
    audit_record(actor=actor, action="advocacy.letter_drafted", obj=letter, subject=case, ip=ip,
                 changes={"template": [None, template.name]})
    return letter


def _locked(letter: CaseLetter) -> CaseLetter:
    return CaseLetter.objects.select_for_update().select_related("case").get(pk=letter.pk)


@transaction.atomic
def case_letter_update(*, letter: CaseLetter, subject: str, body: str, actor, ip=None) -> CaseLetter:
    """Edit a draft. A final letter is not editable (LetterError)."""
    letter = _locked(letter)
    if letter.status == CaseLetter.Status.FINAL:
        raise LetterError("This letter is final and can no longer be changed. Start a new letter instead.")
    letter, _ = model_update(instance=letter, data={"subject": subject, "body": body}, actor=actor,
                             action="advocacy.letter_edited", subject=letter.case, ip=ip)
    return letter


@transaction.atomic
def case_letter_finalise(*, letter: CaseLetter, actor, ip=None):
    """Make a draft final and ask for its PDF; returns (letter, document).

    Idempotent: the letter row is locked, and a letter already final asks again for its one document (the
    core keeps one per letter), so a double "make final" builds once."""
    letter = _locked(letter)
    if letter.status != CaseLetter.Status.FINAL:
        letter.status = CaseLetter.Status.FINAL
        letter.finalised_at = timezone.now()
        letter.save(update_fields=["status", "finalised_at"])
        audit_record(actor=actor, action="advocacy.letter_finalised", obj=letter, subject=letter.case, ip=ip)
    document, _ = document_request(kind=LETTER_KIND, subject=letter)
    return letter, document
