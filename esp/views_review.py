"""The reviewer's pages (/esp/review/): their queue, declaring conflicts, scoring one assigned nomination,
its letters and photo as the blind review allows, and the other reviewers' scores once the round closes.

Every page loads the assignment through esp/rules.py (assignments_for_reviewer): another reviewer's
assignment, an unassigned or a conflicted nomination answers 404. What is shown of the nomination comes
from esp/selectors/review.py's blind_view only."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.crypto import salted_hmac
from django.views.decorators.http import require_GET, require_http_methods

from esp.forms_review import ConflictDeclareForm, ScoreForm
from esp.models import AwardCycle, Conflict, SupportLetter
from esp.selectors.review import (
    blind_view,
    declarable_nominations,
    letter_document_for_reviewer,
    other_reviews,
    reviewer_assignment,
    reviewer_label,
    reviewer_queue,
    round_criteria,
)
from esp.services.conflicts import conflict_declare
from esp.services.review import review_save, round_closed
from esp.services.review_errors import ReviewError
from mae_portal.documents import safe_filename
from mae_portal.permissions import is_award_reviewer

OPEN_PHASES = (AwardCycle.Phase.NOMINATIONS, AwardCycle.Phase.SCREENING, AwardCycle.Phase.REVIEW,
               AwardCycle.Phase.INTERVIEWS)


def _posted(request):
    # A POST may carry nothing but the CSRF token: still a bound form (a draft with nothing scored yet).
    return request.POST if request.method == "POST" else None


def reviewer_required(view):
    """Award reviewers only (two-factor sign-in is enforced by the core's middleware); others get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_award_reviewer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@reviewer_required
@require_GET
def review_queue(request):
    assignments = list(reviewer_queue(request.user))
    for assignment in assignments:
        assignment.label = reviewer_label(assignment)
        review = getattr(assignment, "review", None)
        assignment.state = ("Submitted" if review and review.submitted_at else
                            "Draft saved" if assignment.scored else "Not started")
        assignment.closed = round_closed(assignment.nomination.cycle, assignment.round)
    cycles = AwardCycle.objects.filter(phase__in=OPEN_PHASES).order_by("-year")
    return render(request, "esp/review/queue.html", {"assignments": assignments, "cycles": cycles})


def _token(user, nomination_pk) -> str:
    # Identifies a nomination on the conflicts page without its number, which would tie the names listed
    # there to the blind review pages.
    return salted_hmac("esp.review.declare", f"{user.pk}:{nomination_pk}").hexdigest()[:32]


@reviewer_required
@require_http_methods(["GET", "POST"])
def review_conflicts(request, cycle_pk):
    """Before assignment, a reviewer sees who is nominated (name and district only, never the materials)
    and declares any conflict, with its kind and a note."""
    cycle = get_object_or_404(AwardCycle, pk=cycle_pk, phase__in=OPEN_PHASES)
    nominations = list(declarable_nominations(cycle))
    mine = {}
    for conflict in Conflict.objects.filter(reviewer=request.user, nomination__cycle=cycle):
        mine.setdefault(conflict.nomination_id, []).append(conflict)
    form = ConflictDeclareForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        by_token = {_token(request.user, n.pk): n for n in nominations}
        nomination = by_token.get(form.cleaned_data["token"])
        if nomination is None:
            raise Http404("No such nomination.")
        try:
            conflict_declare(nomination=nomination, reviewer=request.user, kind=form.cleaned_data["kind"],
                             note=form.cleaned_data["note"])
        except ReviewError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Conflict declared with {nomination.nominee.display_name}. "
                                      "You will not be asked to review this nomination.")
            return redirect("esp:review_conflicts", cycle_pk=cycle.pk)
    rows = [{"name": n.nominee.display_name, "district": n.nominee.employer_district.name
             if n.nominee.employer_district_id else "", "token": _token(request.user, n.pk),
             "conflicts": mine.get(n.pk, [])} for n in nominations]
    return render(request, "esp/review/conflicts.html", {"cycle": cycle, "rows": rows, "form": form,
                                                         "kinds": Conflict.Kind.choices})


@reviewer_required
@require_http_methods(["GET", "POST"])
def review_detail(request, pk):
    assignment = reviewer_assignment(request.user, pk)
    cycle = assignment.nomination.cycle
    criteria = round_criteria(cycle, assignment.round)
    review = getattr(assignment, "review", None)
    closed = round_closed(cycle, assignment.round)
    form = ScoreForm(_posted(request), criteria=criteria, review=review)
    if request.method == "POST":
        if closed:
            raise PermissionDenied
        if form.is_valid():
            submit = "submit" in request.POST
            try:
                review_save(assignment=assignment, scores=form.scores(), submit=submit, actor=request.user)
            except ReviewError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Review submitted. Thank you." if submit else "Draft saved.")
                return redirect("esp:review_detail", pk=assignment.pk)
    return render(request, "esp/review/detail.html", {
        "assignment": assignment, "view": blind_view(assignment), "form": form, "closed": closed,
        "review": review, "cycle": cycle,
    })


def _stream(stored, name):
    if stored is None or not stored.file:
        raise Http404("No such file.")
    response = FileResponse(stored.file.open("rb"), as_attachment=True, content_type=stored.content_type,
                            filename=safe_filename(name))
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, no_store=True, private=True)
    return response


@reviewer_required
@require_GET
def review_letter(request, pk, letter_pk):
    """A letter of support as the blind review allows: the redacted copy when the cycle hides anything,
    under a name that says nothing about the writer or the nominee."""
    assignment = reviewer_assignment(request.user, pk)
    letter = get_object_or_404(SupportLetter.objects.select_related("document", "redacted_document"),
                               pk=letter_pk, nomination=assignment.nomination_id)
    stored = letter_document_for_reviewer(letter, assignment.nomination.cycle)
    extension = "." + stored.download_name.rsplit(".", 1)[-1] if stored and "." in stored.download_name else ".pdf"
    return _stream(stored, f"{reviewer_label(assignment)}-letter-{letter.pk}{extension}")


@reviewer_required
@require_GET
def review_photo(request, pk):
    assignment = reviewer_assignment(request.user, pk)
    nomination = assignment.nomination
    if nomination.cycle.hide_photos or not nomination.photo_id:
        raise Http404("No photo.")
    stored = nomination.photo
    extension = "." + stored.download_name.rsplit(".", 1)[-1] if "." in stored.download_name else ""
    return _stream(stored, f"{reviewer_label(assignment)}-photo{extension}")


@reviewer_required
@require_GET
def review_others(request, pk):
    """The other reviewers' scores and comments on this nomination: only once the round is closed."""
    assignment = reviewer_assignment(request.user, pk)
    if not round_closed(assignment.nomination.cycle, assignment.round):
        raise PermissionDenied
    reviews = list(other_reviews(assignment))
    for number, review in enumerate(reviews, 1):
        review.label = f"Reviewer {number}"
    return render(request, "esp/review/others.html", {"assignment": assignment, "reviews": reviews,
                                                      "label": reviewer_label(assignment)})
