"""Awards staff's review pages (/esp/awards/staff/review/): cycles, blind-review settings, conflicts,
assignment (automatic and by hand), redaction, closing a round. Results and decisions: views_results.py.

Awards staff and admins only (403 for everyone else; two-factor sign-in is enforced by the core's
middleware). Objects are loaded through esp/rules.py's nominations_for_staff."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from esp.forms_review import AssignReviewerForm, BlindSettingsForm, LetterRedactionForm, RedactionForm, RoundForm
from esp.models import AwardCycle, Conflict, ReviewAssignment, SupportLetter
from esp.redaction import nominee_phrases, redact
from esp.rules import nominations_for_staff
from esp.selectors.review import award_reviewers, staff_cycle_nominations
from esp.services.assignment import assignment_add, assignment_remove, assignments_auto
from esp.services.conflicts import conflicts_detect
from esp.services.review import blind_settings_update, letter_redaction_store, round_close, statements_redact
from esp.services.review_errors import ReviewError
from mae_portal.access import get_visible_or_404
from mae_portal.permissions import is_awards_staff


def awards_staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_awards_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def posted_data(request):
    # A POST may carry nothing but the CSRF token (every box unticked, every copy cleared): still a bound form.
    return request.POST if request.method == "POST" else None


def posted_files(request):
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def staff_nomination(request, pk):
    return get_visible_or_404(nominations_for_staff(request.user).select_related(
        "cycle", "nominee__employer_district", "nominee__worksite", "nominee__local", "nominator"), pk=pk)


@awards_staff_required
@require_GET
def staff_review_cycles(request):
    return render(request, "esp/review/staff_cycles.html", {"cycles": AwardCycle.objects.order_by("-year")})


@awards_staff_required
@require_GET
def staff_review_cycle(request, cycle_pk):
    """The cycle's review at a glance: each nomination's reviewers and conflicts, reviewers' loads."""
    cycle = get_object_or_404(AwardCycle, pk=cycle_pk)
    round = request.GET.get("round") if request.GET.get("round") in ReviewAssignment.Round.values else "review"
    nominations = staff_cycle_nominations(cycle, round=round)
    loads = {}
    for nomination in nominations:
        for email in nomination.reviewers:
            loads[email] = loads.get(email, 0) + 1
    return render(request, "esp/review/staff_cycle.html", {
        "cycle": cycle, "nominations": nominations, "round": round, "loads": sorted(loads.items()),
        "link": reverse("esp:staff_nomination_review", kwargs={"pk": 0}).removesuffix("0/"),
        "reviewer_count": award_reviewers().count(), "round_form": RoundForm(initial={"round": round}),
        "blind_form": BlindSettingsForm(instance=cycle),
    })


@awards_staff_required
@require_http_methods(["GET", "POST"])
def staff_blind_settings(request, cycle_pk):
    cycle = get_object_or_404(AwardCycle, pk=cycle_pk)
    form = BlindSettingsForm(posted_data(request), instance=AwardCycle.objects.get(pk=cycle.pk))
    if request.method == "POST" and form.is_valid():
        blind_settings_update(cycle=cycle, data=form.cleaned_data, actor=request.user)
        messages.success(request, "Blind-review settings saved.")
        return redirect("esp:staff_review_cycle", cycle_pk=cycle.pk)
    return render(request, "esp/review/staff_form.html", {
        "cycle": cycle, "form": form, "title": f"What reviewers see: {cycle}", "submit_label": "Save settings",
        "intro": "Hidden fields never reach a reviewer's page or file. With names, worksite or district hidden, "
                 "reviewers get the redacted copy of each statement (or, until staff prepare one, the automatic "
                 "suggestion), and letters only once a redacted copy is uploaded."})


@awards_staff_required
@require_http_methods(["GET", "POST"])
def staff_conflicts(request, cycle_pk):
    """Every conflict of the cycle; POST finds the records conflicts again."""
    cycle = get_object_or_404(AwardCycle, pk=cycle_pk)
    if request.method == "POST":
        found = conflicts_detect(cycle=cycle, actor=request.user)
        messages.success(request, f"Conflicts checked against the records: {found['added']} new, {found['removed']} "
                                  f"no longer shown, {found['assignments_removed']} assignment(s) removed.")
        return redirect("esp:staff_conflicts", cycle_pk=cycle.pk)
    conflicts = (Conflict.objects.filter(nomination__cycle=cycle)
                 .select_related("reviewer", "nomination__nominee").order_by("nomination__nominee__legal_last_name",
                                                                             "reviewer__email", "kind"))
    return render(request, "esp/review/staff_conflicts.html", {"cycle": cycle, "conflicts": conflicts})


@awards_staff_required
@require_http_methods(["GET", "POST"])
def staff_auto_assign(request, cycle_pk):
    cycle = get_object_or_404(AwardCycle, pk=cycle_pk)
    form = RoundForm(posted_data(request), initial={"round": request.GET.get("round", "review")})
    if request.method == "POST" and form.is_valid():
        try:
            result = assignments_auto(cycle=cycle, round=form.cleaned_data["round"], actor=request.user)
        except ReviewError as error:
            messages.error(request, error.message)
        else:
            plan = result.plan
            if plan.shortfall:
                messages.error(request, (
                    f"Not every nomination could get {cycle.reviewers_per_nomination} reviewers: "
                    f"{len(plan.shortfall)} nomination(s) are short of {sum(plan.shortfall.values())} reviewer(s) in all, "
                    "for want of reviewers without a conflict. Add reviewers, then assign again."))
            messages.success(request, f"{result.created} assignment(s) made; loads differ by at most {plan.spread}.")
            return redirect(f"{_cycle_url(cycle)}?round={form.cleaned_data['round']}")
    return render(request, "esp/review/staff_form.html", {
        "cycle": cycle, "form": form, "title": f"Assign reviewers automatically: {cycle}", "submit_label": "Assign",
        "intro": f"Each nomination gets {cycle.reviewers_per_nomination} reviewers, with the loads as even as they can "
                 "be and no reviewer who has a conflict. Assignments already made are kept. Conflicts are checked "
                 "against the records first."})


def _cycle_url(cycle):
    return reverse("esp:staff_review_cycle", kwargs={"cycle_pk": cycle.pk})


@awards_staff_required
@require_http_methods(["GET", "POST"])
def staff_nomination_review(request, pk):
    """One nomination's reviewers (both rounds) and conflicts; POST assigns a reviewer by hand."""
    nomination = staff_nomination(request, pk)
    form = AssignReviewerForm(posted_data(request), initial={
        "round": "interview" if nomination.status == nomination.Status.FINALIST else "review"})
    if request.method == "POST" and form.is_valid():
        try:
            assignment_add(nomination=nomination, reviewer=form.cleaned_data["reviewer"],
                           round=form.cleaned_data["round"], actor=request.user)
        except ReviewError as error:
            form.add_error("reviewer", error.message)
        else:
            messages.success(request, f"{form.cleaned_data['reviewer'].email} assigned.")
            return redirect("esp:staff_nomination_review", pk=nomination.pk)
    assignments = nomination.assignments.select_related("reviewer", "review").order_by("round", "reviewer__email")
    conflicts = nomination.conflicts.select_related("reviewer").order_by("reviewer__email")
    return render(request, "esp/review/staff_nomination.html", {
        "nomination": nomination, "cycle": nomination.cycle, "form": form, "assignments": assignments,
        "conflicts": conflicts, "letters": nomination.letters.select_related("redacted_document")})


@awards_staff_required
@require_http_methods(["GET", "POST"])
def staff_assignment_remove(request, pk, assignment_pk):
    nomination = staff_nomination(request, pk)
    assignment = get_object_or_404(nomination.assignments.select_related("reviewer"), pk=assignment_pk)
    if request.method == "POST":
        try:
            assignment_remove(assignment=assignment, actor=request.user)
        except ReviewError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{assignment.reviewer.email} is no longer assigned.")
        return redirect("esp:staff_nomination_review", pk=nomination.pk)
    return render(request, "esp/review/staff_confirm.html", {
        "cycle": nomination.cycle, "title": "Remove this reviewer?", "submit_label": "Remove the reviewer",
        "intro": f"{assignment.reviewer.email} ({assignment.get_round_display()}). Any scores they saved are removed "
                 "too (the audit keeps them).", "back": nomination, "danger": True})


@awards_staff_required
@require_http_methods(["GET", "POST"])
def staff_redaction(request, pk):
    """The redacted copy of each statement reviewers get; "Suggest" fills it in from the nominee's names,
    worksite and district as a starting point."""
    nomination = staff_nomination(request, pk)
    statements = list(nomination.statements.select_related("criterion").order_by("criterion__round",
                                                                                "criterion__order"))
    suggest = request.method == "POST" and "suggest" in request.POST
    if suggest:
        phrases = nominee_phrases(nomination.nominee)
        initial = {f"redacted_{s.pk}": redact(s.text, **phrases) for s in statements}
        form = RedactionForm(initial=initial, statements=statements)
        messages.info(request, "Suggested redactions filled in. Read each one, correct it, then save.")
    else:
        form = RedactionForm(posted_data(request), statements=statements)
        if request.method == "POST" and form.is_valid():
            changed = statements_redact(nomination=nomination, texts=form.texts(), actor=request.user)
            messages.success(request, f"Redacted copies saved ({changed} changed).")
            return redirect("esp:staff_nomination_review", pk=nomination.pk)
    return render(request, "esp/review/staff_redaction.html", {
        "nomination": nomination, "cycle": nomination.cycle, "form": form,
        "rows": [(s, form[f"redacted_{s.pk}"]) for s in statements]})


@awards_staff_required
@require_http_methods(["GET", "POST"])
def staff_letter_redaction(request, pk, letter_pk):
    nomination = staff_nomination(request, pk)
    letter = get_object_or_404(SupportLetter, pk=letter_pk, nomination=nomination)
    form = LetterRedactionForm(*posted_files(request))
    if request.method == "POST" and form.is_valid():
        document = form.store_upload("file", kind="award_letter_redacted", subject=letter, actor=request.user)
        if document is not None:
            letter_redaction_store(letter=letter, document=document, actor=request.user)
            messages.success(request, "Redacted copy kept: reviewers get it instead of the letter.")
            return redirect("esp:staff_nomination_review", pk=nomination.pk)
    return render(request, "esp/review/staff_form.html", {
        "cycle": nomination.cycle, "form": form, "multipart": True, "back": nomination,
        "title": f"Redacted copy of the letter from {letter.writer_name}", "submit_label": "Upload"})


@awards_staff_required
@require_http_methods(["GET", "POST"])
def staff_round_close(request, cycle_pk):
    cycle = get_object_or_404(AwardCycle, pk=cycle_pk)
    form = RoundForm(posted_data(request), initial={"round": request.GET.get("round", "review")})
    if request.method == "POST" and form.is_valid():
        try:
            round_close(cycle=cycle, round=form.cleaned_data["round"], actor=request.user)
        except ReviewError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Round closed: scores are final and reviewers may read each other's reviews.")
            return redirect("esp:staff_results", cycle_pk=cycle.pk)
    return render(request, "esp/review/staff_form.html", {
        "cycle": cycle, "form": form, "title": f"Close a round: {cycle}", "submit_label": "Close the round",
        "danger": True, "intro": "Once closed, no score of the round can change, and reviewers may read the other "
                                 "reviewers' scores and comments on the nominations they reviewed."})
