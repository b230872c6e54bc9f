"""Nominating for ESP of the Year: start, autosave, consent, statements, letters, endorsement, submission,
withdrawal, and staff screening.

Each service is one transaction, validates, writes, audits, and queues its emails through
mae_portal.emails.send_email (the outbox row is written in the same transaction and delivered by Celery
once it commits; each email has an idempotency key, so a double submit sends one). Times are passed in
(`now`, `today`): views pass timezone.now() and members.clock.today().

The nomination window: open from cycle.nominations_open_at to cycle.nominations_close_at, both inclusive
(a nomination submitted at 23:59:00 on a 23:59 close is in time; one second later it is not), and never
while the cycle is still being prepared. Drafts, statements and letters can change only in a draft inside
the window.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from esp.models import AwardCycle, Criterion, Nomination, NominationStatement, SupportLetter
from esp.selectors.nominations import (
    checklist,
    involvement_changed,
    is_president_of_nominees_local,
    nominee_eligibility,
    word_count,
)
from mae_portal.audit import audit_record
from mae_portal.emails import send_email
from mae_portal.uploads import upload_store
from members.models import User

LETTER_KIND = "esp-award-material"
MAX_TEXT_CHARS = 20_000  # a hard cap on any one text a draft keeps; the word limit is checked separately


class NominationError(Exception):
    """A request the rules refuse; the message says why, for the person who asked."""


def _when(value: datetime) -> str:
    local = timezone.localtime(value)
    return f"{local:%B} {local.day}, {local.year} at {local:%-I:%M %p} Mississippi time"


def window_refusal(cycle: AwardCycle, now: datetime) -> str | None:
    """Why nominations cannot change now, or None while the window is open."""
    if cycle.phase == AwardCycle.Phase.DRAFT:
        return "Nominations for this award are not open yet."
    if now < cycle.nominations_open_at:
        return f"Nominations open on {_when(cycle.nominations_open_at)}."
    if now > cycle.nominations_close_at:
        return f"Nominations closed on {_when(cycle.nominations_close_at)}."
    return None


def _require_open_draft(nomination: Nomination, now: datetime) -> None:
    if nomination.status != Nomination.Status.DRAFT:
        raise NominationError(f"This nomination is {nomination.get_status_display().lower()}: it can no longer change.")
    if refusal := window_refusal(nomination.cycle, now):
        raise NominationError(refusal)


def _locked(nomination: Nomination) -> Nomination:
    return Nomination.objects.select_for_update(of=("self",)).select_related(
        "cycle", "nominee__user", "nominator").get(pk=nomination.pk)


def _url(name, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def nominee_email(nomination: Nomination) -> str:
    nominee = nomination.nominee
    return nominee.email or (nominee.user.email if nominee.user_id else "")


def _audit(actor, action, nomination, changes=None, ip=None, obj=None):
    audit_record(actor=actor, action=action, obj=obj or nomination, subject=nomination, changes=changes or {}, ip=ip)


def _check_text(text: str, what: str) -> str:
    text = (text or "").replace("\r\n", "\n")
    if len(text) > MAX_TEXT_CHARS:
        raise NominationError(f"The {what} is longer than {MAX_TEXT_CHARS:,} characters; nothing was saved.")
    return text


# --- Starting and the draft ------------------------------------------------------------------------------


@transaction.atomic
def nomination_start(*, cycle: AwardCycle, nominee, nominator, now: datetime, today, ip=None) -> Nomination:
    """A draft nomination of `nominee` (a Member) by `nominator` (a User), with its first eligibility
    check stored. Refused outside the window, for oneself, and when the nominee already has a live
    nomination this cycle. A failed eligibility check does not refuse the draft (the nominee may renew
    before the deadline); it refuses the submission."""
    if refusal := window_refusal(cycle, now):
        raise NominationError(refusal)
    if nominee.user_id and nominee.user_id == nominator.pk:
        raise NominationError("You cannot nominate yourself: ask a colleague or your local to nominate you.")
    eligibility = nominee_eligibility(nominee, cycle=cycle, today=today)
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(cycle=cycle, nominee=nominee, nominator=nominator,
                                                   eligibility=eligibility.as_json())
    except IntegrityError:
        raise NominationError(f"{nominee.display_name} has already been nominated for {cycle}. "
                              "Call MAE's awards staff if you would like to support that nomination.") from None
    _audit(nominator, "esp.nomination_started", nomination, {"eligible": eligibility.passed}, ip=ip)
    _involvement_changed()
    return nomination


@transaction.atomic
def nomination_autosave(*, nomination: Nomination, actor, nominator_statement: str, now: datetime) -> list[str]:
    """Keep the nominator's draft text as typed (whatever its length in words: the checklist and the
    submission check the limit). Returns the fields that changed. Refuses text beyond MAX_TEXT_CHARS and
    anything outside an open draft, keeping what was saved before."""
    nomination = _locked(nomination)
    _require_open_draft(nomination, now)
    text = _check_text(nominator_statement, "statement")
    if text == nomination.nominator_statement:
        return []
    nomination.nominator_statement = text
    nomination.save(update_fields=["nominator_statement", "updated_at"])
    _audit(actor, "esp.nomination_draft_saved", nomination, {"nominator_statement": {"words": word_count(text)}})
    return ["nominator_statement"]


@transaction.atomic
def nomination_withdraw(*, nomination: Nomination, actor, now: datetime) -> Nomination:
    """The nominator withdraws a draft or a submitted nomination (not one staff have screened)."""
    nomination = _locked(nomination)
    if nomination.status not in (Nomination.Status.DRAFT, Nomination.Status.SUBMITTED):
        raise NominationError("Only a draft or a submitted nomination can be withdrawn.")
    before = nomination.status
    nomination.status = Nomination.Status.WITHDRAWN
    nomination.save(update_fields=["status", "updated_at"])
    _audit(actor, "esp.nomination_withdrawn", nomination, {"status": [before, nomination.status]})
    _involvement_changed()
    return nomination


# --- Consent and statements ------------------------------------------------------------------------------


@transaction.atomic
def nomination_request_consent(*, nomination: Nomination, actor, now: datetime) -> Nomination:
    """Email the nominee a link (their consent token) asking whether they agree to be nominated. Asking
    again sends nothing more (one email per nomination)."""
    nomination = _locked(nomination)
    _require_open_draft(nomination, now)
    to = nominee_email(nomination)
    if not to:
        raise NominationError("We have no email address for the nominee. Call MAE membership to add one.")
    if nomination.consent_requested_at is None:
        nomination.consent_requested_at = now
        nomination.save(update_fields=["consent_requested_at", "updated_at"])
        _audit(actor, "esp.consent_requested", nomination)
    send_email("esp-nomination-consent", to, {
        "nomination": nomination, "nominee": nomination.nominee, "cycle": nomination.cycle,
        "nominator_name": _name(nomination.nominator), "close": _when(nomination.cycle.nominations_close_at),
        "link": _url("esp:nominee_respond_token", nomination.consent_token),
    }, idempotency_key=f"esp-nomination-consent:{nomination.pk}")
    return nomination


@transaction.atomic
def nomination_consent(*, nomination: Nomination, consent: bool, actor, now: datetime, ip=None) -> Nomination:
    """The nominee's answer; the latest counts (a nominee may change their mind while it is a draft).
    `actor` is the signed-in nominee, or None for someone holding the emailed link."""
    nomination = _locked(nomination)
    _require_open_draft(nomination, now)
    if consent:
        nomination.consented_at, nomination.consent_declined_at = now, None
    else:
        nomination.consented_at, nomination.consent_declined_at = None, now
    nomination.save(update_fields=["consented_at", "consent_declined_at", "updated_at"])
    _audit(actor, "esp.consent_given" if consent else "esp.consent_declined", nomination, ip=ip)
    _involvement_changed()
    if nomination.nominator.email:
        send_email("esp-nomination-consent-answer", nomination.nominator.email, {
            "nomination": nomination, "consent": consent, "nominee": nomination.nominee,
            "link": _url("esp:nomination_detail", nomination.pk),
        }, idempotency_key=f"esp-nomination-consent-answer:{nomination.pk}:{consent}:{now.isoformat()}")
    return nomination


@transaction.atomic
def statement_save(*, nomination: Nomination, criterion: Criterion, text: str, actor, now: datetime, ip=None):
    """Keep the nominee's statement on one criterion as typed; returns (statement, words). A statement
    over the cycle's word limit is kept (nothing typed is lost) and blocks submission until shortened."""
    nomination = _locked(nomination)
    _require_open_draft(nomination, now)
    if not nomination.consented_at:
        raise NominationError("The nominee writes their statements after agreeing to be nominated.")
    if criterion.cycle_id != nomination.cycle_id or criterion.round != Criterion.Round.REVIEW:
        raise NominationError("That criterion is not part of this award's rubric.")
    text = _check_text(text, f"statement on {criterion.name}")
    statement, created = NominationStatement.objects.get_or_create(nomination=nomination, criterion=criterion)
    if created or statement.text != text:
        statement.text = text
        statement.save(update_fields=["text", "updated_at"])
        _audit(actor, "esp.statement_saved", nomination, {"criterion": criterion.name, "words": word_count(text)},
               ip=ip, obj=statement)
    return statement, word_count(text)


# --- Letters of support ----------------------------------------------------------------------------------


def _writer_account(email: str):
    return User.objects.filter(email__iexact=email).first() if email else None


@transaction.atomic
def letter_request(*, nomination: Nomination, writer_name: str, writer_email: str, writer_relationship: str,
                   actor, now: datetime) -> SupportLetter:
    """Ask a writer for a letter: they get an emailed link that opens that letter's upload page, and only
    that, without an account."""
    nomination = _locked(nomination)
    _require_open_draft(nomination, now)
    if not writer_email:
        raise NominationError("Give the writer's email address, so we can send them the link.")
    letter = SupportLetter.objects.create(
        nomination=nomination, writer_name=writer_name.strip()[:120], writer_email=writer_email.strip(),
        writer_relationship=writer_relationship.strip()[:120], writer_user=_writer_account(writer_email),
        requested_at=now)
    _audit(actor, "esp.letter_requested", nomination, {"writer": letter.writer_name}, obj=letter)
    send_email("esp-nomination-letter-request", letter.writer_email, {
        "letter": letter, "nominee": nomination.nominee, "cycle": nomination.cycle,
        "nominator_name": _name(nomination.nominator), "close": _when(nomination.cycle.nominations_close_at),
        "link": _url("esp:letter_upload", letter.token),
    }, idempotency_key=f"esp-nomination-letter-request:{letter.pk}")
    return letter


@transaction.atomic
def letter_upload(*, nomination: Nomination, file, actor, now: datetime, letter: SupportLetter | None = None,
                  writer_name: str = "", writer_relationship: str = "", writer_email: str = "") -> SupportLetter:
    """A letter's file: the nominator uploading one (a new SupportLetter), or a writer through their link
    (`letter`). The file goes through the core's upload checks (PDF or Word, size, no scripts in a PDF);
    a refusal (mae_portal.uploads.UploadRefused) rolls everything back: no letter, no file."""
    nomination = _locked(nomination)
    _require_open_draft(nomination, now)
    if letter is None:
        letter = SupportLetter.objects.create(
            nomination=nomination, writer_name=writer_name.strip()[:120], writer_email=writer_email.strip(),
            writer_relationship=writer_relationship.strip()[:120], writer_user=_writer_account(writer_email))
    else:
        letter = SupportLetter.objects.select_for_update(of=("self",)).get(pk=letter.pk, nomination=nomination)
        if letter.document_id:
            raise NominationError("This letter has been received already.")
    document = upload_store(file=file, kind=LETTER_KIND, subject=letter, actor=actor)
    letter.document, letter.received_at = document, now
    letter.save(update_fields=["document", "received_at"])
    _audit(actor, "esp.letter_received", nomination, {"writer": letter.writer_name, "by_link": actor is None},
           obj=letter)
    return letter


# --- Endorsement and submission --------------------------------------------------------------------------


@transaction.atomic
def nomination_endorse(*, nomination: Nomination, actor, text: str, now: datetime, ip=None) -> Nomination:
    """The president of the nominee's local signs the nomination (their words, and a confirmation)."""
    nomination = _locked(nomination)
    _require_open_draft(nomination, now)
    if not is_president_of_nominees_local(actor, nomination):
        raise NominationError("Only the president of the nominee's local can endorse this nomination.")
    if nomination.endorsed_at:
        return nomination
    nomination.endorsed_by, nomination.endorsed_at = actor, now
    nomination.endorsement_text = _check_text(text, "endorsement").strip()
    nomination.save(update_fields=["endorsed_by", "endorsed_at", "endorsement_text", "updated_at"])
    _audit(actor, "esp.nomination_endorsed", nomination, ip=ip)
    _involvement_changed()
    return nomination


@dataclass
class SubmitOutcome:
    submitted: bool
    already: bool = False
    problems: list[str] = field(default_factory=list)


@transaction.atomic
def nomination_submit(*, nomination: Nomination, actor, now: datetime, today, ip=None) -> SubmitOutcome:
    """Submit a complete draft inside the window. Eligibility is checked again and stored whatever the
    outcome. A nomination already submitted is left as it is (a double submit does nothing twice)."""
    nomination = _locked(nomination)
    if nomination.status != Nomination.Status.DRAFT:
        return SubmitOutcome(submitted=False, already=nomination.status == Nomination.Status.SUBMITTED,
                             problems=[] if nomination.status == Nomination.Status.SUBMITTED else
                             [f"This nomination is {nomination.get_status_display().lower()}."])
    if refusal := window_refusal(nomination.cycle, now):
        return SubmitOutcome(submitted=False, problems=[refusal])
    eligibility = nominee_eligibility(nomination.nominee, cycle=nomination.cycle, today=today)
    nomination.eligibility = eligibility.as_json()
    nomination.save(update_fields=["eligibility", "updated_at"])
    from esp.selectors.nominations import with_parts

    loaded = with_parts(Nomination.objects.filter(pk=nomination.pk)).get()
    problems = [f"{item.label}: {item.detail}" for item in checklist(loaded) if not item.done]
    if problems:
        _audit(actor, "esp.nomination_submit_refused", nomination, {"problems": problems}, ip=ip)
        return SubmitOutcome(submitted=False, problems=problems)
    nomination.status, nomination.submitted_at = Nomination.Status.SUBMITTED, now
    nomination.save(update_fields=["status", "submitted_at", "updated_at"])
    _audit(actor, "esp.nomination_submitted", nomination, {"status": ["draft", "submitted"]}, ip=ip)
    _involvement_changed()
    context = {"nomination": nomination, "nominee": nomination.nominee, "cycle": nomination.cycle,
               "link": _url("esp:nomination_detail", nomination.pk)}
    if nomination.nominator.email:
        send_email("esp-nomination-submitted", nomination.nominator.email, {**context, "to_nominator": True},
                   idempotency_key=f"esp-nomination-submitted:{nomination.pk}:nominator")
    if to := nominee_email(nomination):
        send_email("esp-nomination-submitted", to, {**context, "to_nominator": False},
                   idempotency_key=f"esp-nomination-submitted:{nomination.pk}:nominee")
    return SubmitOutcome(submitted=True)


# --- Screening (awards staff) ----------------------------------------------------------------------------


@transaction.atomic
def nomination_recheck(*, nomination: Nomination, actor, today) -> Nomination:
    """Check eligibility again against today's membership records, and store the result."""
    nomination = _locked(nomination)
    eligibility = nominee_eligibility(nomination.nominee, cycle=nomination.cycle, today=today)
    before = (nomination.eligibility or {}).get("passed")
    nomination.eligibility = eligibility.as_json()
    nomination.save(update_fields=["eligibility", "updated_at"])
    _audit(actor, "esp.eligibility_checked", nomination, {"passed": [before, eligibility.passed]})
    return nomination


SCREENABLE = (Nomination.Status.SUBMITTED, Nomination.Status.SCREENED_IN, Nomination.Status.SCREENED_OUT)


@transaction.atomic
def nomination_screen(*, nomination: Nomination, passed: bool, note: str, actor, now: datetime) -> Nomination:
    """Pass or fail a submitted nomination, with a note the nominator sees (on their page and by email).
    A decision may be changed until review begins (while the nomination is submitted or screened)."""
    nomination = _locked(nomination)
    if nomination.status not in SCREENABLE:
        raise NominationError(f"A {nomination.get_status_display().lower()} nomination cannot be screened.")
    note = _check_text(note, "note").strip()
    if not passed and not note:
        raise NominationError("Say why the nomination does not pass: the nominator reads this note.")
    before = nomination.status
    nomination.status = Nomination.Status.SCREENED_IN if passed else Nomination.Status.SCREENED_OUT
    nomination.screening_note, nomination.screened_by, nomination.screened_at = note, actor, now
    nomination.save(update_fields=["status", "screening_note", "screened_by", "screened_at", "updated_at"])
    _audit(actor, "esp.nomination_screened", nomination, {"status": [before, nomination.status], "note": note})
    if nomination.nominator.email:
        send_email("esp-nomination-screened", nomination.nominator.email, {
            "nomination": nomination, "nominee": nomination.nominee, "cycle": nomination.cycle, "passed": passed,
            "note": note, "link": _url("esp:nomination_detail", nomination.pk),
        }, idempotency_key=f"esp-nomination-screened:{nomination.pk}:{now.isoformat()}")
    return nomination


def _involvement_changed() -> None:
    # Now, so that this request's own next page sees it, and again after the commit, so that a page read by
    # someone else in between (which cached the old answer under the new version) is not kept.
    involvement_changed()
    transaction.on_commit(involvement_changed)


def _name(user) -> str:
    from mae_portal.registry import display_name

    return display_name(user)


AUDIT_ACTIONS = {
    "esp.nomination_started": "Nomination started",
    "esp.nomination_draft_saved": "Nomination draft saved",
    "esp.nomination_withdrawn": "Nomination withdrawn",
    "esp.consent_requested": "Nominee asked for consent",
    "esp.consent_given": "Nominee consented",
    "esp.consent_declined": "Nominee declined",
    "esp.statement_saved": "Nominee statement saved",
    "esp.letter_requested": "Letter of support requested",
    "esp.letter_received": "Letter of support received",
    "esp.nomination_endorsed": "Nomination endorsed by the local president",
    "esp.nomination_submit_refused": "Nomination submission refused",
    "esp.nomination_submitted": "Nomination submitted",
    "esp.eligibility_checked": "Nomination eligibility checked",
    "esp.nomination_screened": "Nomination screened",
}
