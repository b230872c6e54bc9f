"""Nominating for ESP of the Year: the nominator's pages, the nominee's consent and statements (by their
emailed link or signed in as the nominee), a letter writer's upload page (by their link only), and the local
president's endorsement. Awards staff screen in esp/views_nominations_staff.py.

Finding the nominee: a member cannot browse the roster. They give the nominee's member number or email
address together with the last name, and both must match one member record; a miss says only that no member
matched, and more than ten misses in an hour stop the lookups. A local leader may also pick from the ESP
members of the locals they are an officer of (they see that roster anyway). Nobody may nominate themselves.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from esp.forms_nominations import (
    DraftForm,
    EndorseForm,
    LeaderPickForm,
    LetterRequestForm,
    LetterUploadForm,
    NomineeLookupForm,
    StatementsForm,
    WriterUploadForm,
)
from esp.models import AwardCycle, Nomination, SupportLetter
from esp.rules import nominations_of_nominator, nominations_of_nominee, nominations_to_endorse
from esp.selectors.nominations import (
    checklist,
    is_president_of_nominees_local,
    local_president,
    nominations_made_by,
    with_parts,
    word_count,
)
from esp.services import nominations as services
from esp.services.nominations import NominationError, window_refusal
from mae_portal.access import get_visible_or_404
from mae_portal.audit import client_ip
from mae_portal.permissions import is_local_leader
from mae_portal.uploads import UploadRefused
from members import clock
from members.models import CareerField, LocalOfficer, Member

LOOKUP_MISSES_PER_HOUR = 10


def _posted(request):
    """(data, files) of a POST, even an empty one (a bound form shows its errors); (None, None) otherwise."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def may_nominate(user) -> bool:
    """Members and local leaders nominate."""
    return user.is_authenticated and (is_local_leader(user) or Member.objects.filter(user=user).exists())


def _leader_members(user):
    locals_led = LocalOfficer.objects.filter(user=user).values("local_id")
    return (Member.objects.filter(local__in=locals_led, career_field__kind=CareerField.Kind.ESP)
            .exclude(user=user).select_related("local").order_by("legal_last_name", "legal_first_name"))


def _find_nominee(identifier: str, last_name: str):
    match = Q(email__iexact=identifier) | Q(user__email__iexact=identifier) if "@" in identifier else (
        Q(member_number=int(identifier)) if identifier.isdigit() and len(identifier) < 18 else None)
    if match is None:
        return None
    found = list(Member.objects.filter(match, legal_last_name__iexact=last_name)[:2])
    return found[0] if len(found) == 1 else None


@login_required
def nominate_start(request, year):
    cycle = get_object_or_404(AwardCycle.objects.exclude(phase=AwardCycle.Phase.DRAFT), year=year)
    if not may_nominate(request.user):
        raise PermissionDenied
    refusal = window_refusal(cycle, timezone.now())
    leader = is_local_leader(request.user)
    members = _leader_members(request.user) if leader else None
    how = request.POST.get("how") if request.method == "POST" else None
    lookup = NomineeLookupForm(request.POST if how == "lookup" else None, prefix="lookup")
    pick = LeaderPickForm(request.POST if how == "pick" else None, members=members, prefix="pick") if leader else None
    nominee, form = None, None
    if how == "lookup" and lookup.is_valid():
        form, key = lookup, f"esp-nominee-lookup:{request.user.pk}"
        if cache.get(key, 0) >= LOOKUP_MISSES_PER_HOUR:
            lookup.add_error(None, "Too many lookups that found nobody. Please try again in an hour, or call MAE.")
        elif (nominee := _find_nominee(lookup.cleaned_data["identifier"], lookup.cleaned_data["last_name"])) is None:
            cache.add(key, 0, 3600)
            cache.incr(key)
            lookup.add_error(None, "No MAE member matches that member number or email address with that last name. "
                                   "Check both, or ask the person for the email address they gave MAE.")
    elif how == "pick" and pick is not None and pick.is_valid():
        form, nominee = pick, pick.cleaned_data["nominee"]
    if nominee is not None and refusal is None:
        try:
            nomination = services.nomination_start(cycle=cycle, nominee=nominee, nominator=request.user,
                                                   now=timezone.now(), today=clock.today(), ip=client_ip(request))
        except NominationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Your nomination of {nominee.display_name} is started. It saves as you type.")
            return redirect("esp:nomination_detail", nomination.pk)
    return render(request, "esp/nominations/start.html", {
        "cycle": cycle, "refusal": refusal, "lookup": lookup, "pick": pick, "has_members": bool(members),
    })


@require_GET
@login_required
def my_nominations(request):
    return render(request, "esp/nominations/mine.html", {
        "nominations": nominations_made_by(request.user),
        "open_cycles": [c for c in AwardCycle.objects.exclude(phase=AwardCycle.Phase.DRAFT).order_by("-year")[:3]
                        if window_refusal(c, timezone.now()) is None] if may_nominate(request.user) else [],
    })


def _own(request, pk):
    return get_visible_or_404(with_parts(nominations_of_nominator(request.user)), pk=pk)


def _detail_context(request, nomination, **forms):
    now = timezone.now()
    return {
        "nomination": nomination, "cycle": nomination.cycle, "checklist": checklist(nomination),
        "letters": list(nomination.letters.all()), "president": local_president(nomination),
        "refusal": window_refusal(nomination.cycle, now),
        "editable": nomination.status == Nomination.Status.DRAFT and window_refusal(nomination.cycle, now) is None,
        "draft_form": forms.get("draft_form") or DraftForm(initial={"nominator_statement": nomination.nominator_statement}),
        "upload_form": forms.get("upload_form") or LetterUploadForm(prefix="upload"),
        "request_form": forms.get("request_form") or LetterRequestForm(prefix="ask"),
    }


@login_required
def nomination_detail(request, pk):
    """The nominator's page: checklist, the draft (autosaved; the Save button works without JavaScript),
    consent, letters, endorsement, submission."""
    nomination = _own(request, pk)
    draft_form = None
    if request.method == "POST":
        draft_form = DraftForm(request.POST)
        if draft_form.is_valid():
            try:
                services.nomination_autosave(nomination=nomination, actor=request.user, now=timezone.now(),
                                             nominator_statement=draft_form.cleaned_data["nominator_statement"])
            except NominationError as error:
                draft_form.add_error("nominator_statement", str(error))
            else:
                messages.success(request, "Your draft is saved.")
                return redirect("esp:nomination_detail", nomination.pk)
    return render(request, "esp/nominations/detail.html", _detail_context(request, nomination, draft_form=draft_form))


def _saved(request, *, saved: bool, error: str = "", notes=()):
    return render(request, "esp/nominations/_saved.html", {
        "saved": saved, "error": error, "notes": list(notes), "at": timezone.localtime()})


@require_POST
@login_required
def nomination_autosave(request, pk):
    """htmx, as the nominator types: saves the draft and answers with a one-line status."""
    nomination = _own(request, pk)
    form = DraftForm(request.POST)
    if not form.is_valid():
        return _saved(request, saved=False, error=" ".join(form.errors.get("nominator_statement", [])))
    try:
        services.nomination_autosave(nomination=nomination, actor=request.user, now=timezone.now(),
                                     nominator_statement=form.cleaned_data["nominator_statement"])
    except NominationError as error:
        return _saved(request, saved=False, error=str(error))
    return _saved(request, saved=True)


@require_POST
@login_required
def nomination_request_consent(request, pk):
    nomination = _own(request, pk)
    try:
        services.nomination_request_consent(nomination=nomination, actor=request.user, now=timezone.now())
    except NominationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"We emailed {nomination.nominee.display_name} to ask for their consent.")
    return redirect("esp:nomination_detail", nomination.pk)


@login_required
def letter_add(request, pk):
    """The nominator uploads a letter they have."""
    nomination = _own(request, pk)
    form = LetterUploadForm(*_posted(request), prefix="upload")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.letter_upload(nomination=nomination, file=data["file"], actor=request.user, now=timezone.now(),
                                   writer_name=data["writer_name"], writer_relationship=data["writer_relationship"],
                                   writer_email=data["writer_email"])
        except UploadRefused as refusal:
            form.add_error("file", refusal.message)
        except NominationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"The letter from {data['writer_name']} is added.")
            return redirect("esp:nomination_detail", nomination.pk)
    return render(request, "esp/nominations/letter_add.html", {"nomination": nomination, "form": form})


@login_required
def letter_ask(request, pk):
    """The nominator asks a writer for a letter by email."""
    nomination = _own(request, pk)
    form = LetterRequestForm(*_posted(request)[:1], prefix="ask")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.letter_request(nomination=nomination, writer_name=data["writer_name"],
                                    writer_email=data["writer_email"], writer_relationship=data["writer_relationship"],
                                    actor=request.user, now=timezone.now())
        except NominationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"We emailed {data['writer_name']} a link to upload their letter.")
            return redirect("esp:nomination_detail", nomination.pk)
    return render(request, "esp/nominations/letter_ask.html", {"nomination": nomination, "form": form})


@login_required
def nomination_submit(request, pk):
    nomination = _own(request, pk)
    if request.method == "POST":
        outcome = services.nomination_submit(nomination=nomination, actor=request.user, now=timezone.now(),
                                             today=clock.today(), ip=client_ip(request))
        if outcome.submitted:
            messages.success(request, f"Your nomination of {nomination.nominee.display_name} is submitted. Thank you.")
        elif outcome.already:
            messages.info(request, "This nomination was submitted already.")
        else:
            messages.error(request, "The nomination cannot be submitted yet: " + " ".join(outcome.problems))
        return redirect("esp:nomination_detail", nomination.pk)
    return render(request, "esp/nominations/submit.html", {
        "nomination": nomination, "checklist": checklist(nomination), "refusal": window_refusal(nomination.cycle, timezone.now())})


@login_required
def nomination_withdraw(request, pk):
    nomination = _own(request, pk)
    if request.method == "POST":
        try:
            services.nomination_withdraw(nomination=nomination, actor=request.user, now=timezone.now())
        except NominationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Your nomination of {nomination.nominee.display_name} is withdrawn.")
            return redirect("esp:my_nominations")
        return redirect("esp:nomination_detail", nomination.pk)
    return render(request, "esp/nominations/withdraw.html", {"nomination": nomination})


# --- The nominee: by their emailed link (token), or signed in as the nominee ---------------------------------


def _nominee_nomination(request, token=None, pk=None):
    """(nomination, the URLs of their pages, the signed-in nominee or None). A withdrawn nomination is gone (404)."""
    if token is not None:
        nomination = get_visible_or_404(with_parts(Nomination.objects.exclude(status=Nomination.Status.WITHDRAWN)),
                                        consent_token=token)
        urls = {name: reverse(f"esp:nominee_{name}_token", args=[token]) for name in ("respond", "statements", "autosave")}
    else:
        nomination = get_visible_or_404(with_parts(nominations_of_nominee(request.user)), pk=pk)
        urls = {name: reverse(f"esp:nominee_{name}", args=[pk]) for name in ("respond", "statements", "autosave")}
    user = request.user
    actor = user if user.is_authenticated and nomination.nominee.user_id == user.pk else None
    return nomination, urls, actor


def _nominee_page(view):
    """The nominee's pages: by token for anyone holding it; by number only signed in (else to sign in)."""
    @wraps(view)
    @never_cache  # a token page shows the nominee's own words: never kept by a browser or proxy (ASVS 14.3.2)
    def wrapper(request, token=None, pk=None):
        if token is None and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, token=token, pk=pk)

    return wrapper


@_nominee_page
def nominee_respond(request, token=None, pk=None):
    """The nominee's consent page: consent or decline; then on to their statements."""
    nomination, urls, actor = _nominee_nomination(request, token, pk)
    error = None
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("consent", "decline"):
            error = "Choose whether you agree to be nominated."
        else:
            try:
                services.nomination_consent(nomination=nomination, consent=answer == "consent", actor=actor,
                                            now=timezone.now(), ip=client_ip(request))
            except NominationError as error:
                messages.error(request, str(error))
            else:
                if answer == "consent":
                    messages.success(request, "Thank you: your consent is recorded. Now write your statements.")
                    return redirect(urls["statements"])
                messages.success(request, "Your answer is recorded: you will not be nominated.")
            return redirect(urls["respond"])
    return render(request, "esp/nominations/respond.html", {
        "nomination": nomination, "urls": urls, "refusal": window_refusal(nomination.cycle, timezone.now()),
        "error": error})


def _statements_form(request, nomination, data=None):
    criteria = list(nomination.cycle.criteria.all())
    statements = {s.criterion_id: s.text for s in nomination.statements.all()}
    return StatementsForm(data, criteria=criteria, limit=nomination.cycle.statement_max_words,
                          initial={f"criterion_{c.pk}": statements.get(c.pk, "") for c in criteria})


def _save_statements(request, nomination, form, actor):
    """Save each statement; returns the over-limit notes, and adds them to the form next to the fields."""
    limit, notes = nomination.cycle.statement_max_words, []
    for criterion, text in form.items():
        _, words = services.statement_save(nomination=nomination, criterion=criterion, text=text, actor=actor,
                                           now=timezone.now(), ip=client_ip(request))
        if words > limit:
            message = f"{words} words: the limit is {limit}. It is saved; shorten it before the nomination is submitted."
            form.add_error(f"criterion_{criterion.pk}", message)
            notes.append(f"{criterion.name}: {words} words, over the {limit}-word limit.")
    return notes


@_nominee_page
def nominee_statements(request, token=None, pk=None):
    nomination, urls, actor = _nominee_nomination(request, token, pk)
    if not nomination.consented_at:
        messages.info(request, "First, tell us whether you agree to be nominated.")
        return redirect(urls["respond"])
    refusal = window_refusal(nomination.cycle, timezone.now())
    editable = nomination.status == Nomination.Status.DRAFT and refusal is None
    form = _statements_form(request, nomination, request.POST if request.method == "POST" else None)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            notes = _save_statements(request, nomination, form, actor)
        except NominationError as error:
            form.add_error(None, str(error))
        else:
            # The page again (not a redirect): a statement over the limit shows its error next to it, and
            # sending the same text twice saves it once.
            saved = not notes
    return render(request, "esp/nominations/statements.html", {
        "nomination": nomination, "urls": urls, "form": form, "editable": editable, "refusal": refusal,
        "limit": nomination.cycle.statement_max_words, "saved": saved, "saved_at": timezone.localtime()})


@require_POST
@_nominee_page
def nominee_statements_autosave(request, token=None, pk=None):
    nomination, urls, actor = _nominee_nomination(request, token, pk)
    form = _statements_form(request, nomination, request.POST)
    if not form.is_valid():
        return _saved(request, saved=False, error=" ".join(e for errors in form.errors.values() for e in errors))
    try:
        notes = _save_statements(request, nomination, form, actor)
    except NominationError as error:
        return _saved(request, saved=False, error=str(error))
    return _saved(request, saved=True, notes=notes)


# --- A letter writer, by their link only -------------------------------------------------------------------


@never_cache
def letter_upload(request, token):
    """The page a letter writer's emailed link opens, without an account: 404 for a token that is not a
    letter's, 410 once the letter is in, after the deadline, or when the nomination is no longer a draft."""
    letter = get_object_or_404(SupportLetter.objects.select_related("nomination__cycle", "nomination__nominee",
                                                                   "nomination__nominator"), token=token)
    nomination = letter.nomination
    gone = None
    if letter.document_id:
        gone = "Your letter has been received. Thank you: there is nothing more to do."
    elif nomination.status != Nomination.Status.DRAFT:
        gone = "This nomination is no longer taking letters."
    elif refusal := window_refusal(nomination.cycle, timezone.now()):
        gone = refusal + " Letters can no longer be uploaded."
    if gone:
        return render(request, "esp/nominations/letter_gone.html", {"letter": letter, "message": gone}, status=410)
    form = WriterUploadForm(*_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.letter_upload(nomination=nomination, letter=letter, file=form.cleaned_data["file"], actor=None,
                                   now=timezone.now())
        except UploadRefused as refusal:
            form.add_error("file", refusal.message)
        except NominationError as error:
            form.add_error(None, str(error))
        else:
            return render(request, "esp/nominations/letter_gone.html", {
                "letter": letter, "message": "Your letter has been received. Thank you.", "received": True})
    return render(request, "esp/nominations/letter_upload.html", {"letter": letter, "nomination": nomination, "form": form})


# --- The local president ---------------------------------------------------------------------------------


@login_required
def nomination_endorse(request, pk):
    """The president of the nominee's local endorses: 404 for nominations outside the leader's locals, 403 for
    an officer of the local who is not its president."""
    nomination = get_visible_or_404(with_parts(nominations_to_endorse(request.user)), pk=pk)
    if not is_president_of_nominees_local(request.user, nomination):
        raise PermissionDenied
    form = EndorseForm(*_posted(request)[:1])
    if request.method == "POST" and form.is_valid():
        try:
            services.nomination_endorse(nomination=nomination, actor=request.user, text=form.cleaned_data["text"],
                                        now=timezone.now(), ip=client_ip(request))
        except NominationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Your endorsement of {nomination.nominee.display_name} is recorded.")
            return redirect("dashboard")
    statements = {s.criterion_id: s for s in nomination.statements.all()}
    return render(request, "esp/nominations/endorse.html", {
        "nomination": nomination, "form": form, "refusal": window_refusal(nomination.cycle, timezone.now()),
        "statements": [(c, statements.get(c.pk)) for c in nomination.cycle.criteria.all()],
        "words": word_count})
