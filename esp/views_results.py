"""Awards staff's results and decisions (/esp/awards/staff/review/cycles/<id>/...): the results of a round,
the finalists, the winner, the winning packet for the NEA, and the cycle's audit trail."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from esp.forms_review import FinalistsForm, NeaContactForm, WinnerForm
from esp.models import AwardCycle, Nomination, ReviewAssignment
from esp.portal import REVIEW_AUDIT_ACTIONS
from esp.services.results import (
    finalist_suggestion,
    finalists_confirm,
    nea_contact_set,
    packet_mark_sent,
    results_for,
    winner_confirm,
)
from esp.services.review_errors import ReviewError
from esp.views_review_staff import awards_staff_required, posted_data
from mae_portal.audit import audit_subjects
from mae_portal.documents import documents_of
from mae_portal.models import AuditLog


def _label(nomination):
    district = nomination.nominee.employer_district.name if nomination.nominee.employer_district_id else ""
    return f"{nomination.nominee.display_name}{f' ({district})' if district else ''}"


@awards_staff_required
@require_GET
def staff_results(request, cycle_pk):
    """Raw weighted means and normalised totals side by side, with ranks (ties shown) and the finalists' cut."""
    cycle = get_object_or_404(AwardCycle, pk=cycle_pk)
    round = request.GET.get("round") if request.GET.get("round") in ReviewAssignment.Round.values else "review"
    results = results_for(cycle, round)
    cut = finalist_suggestion(cycle, results) if round == "review" else None
    tied = {n.pk for n in cut.tied} if cut else set()
    sure = {n.pk for n in cut.sure} if cut else set()
    link = reverse("esp:staff_nomination_review", kwargs={"pk": 0}).removesuffix("0/")
    for row in results.rows:  # formatted here: 500 rows through template filters cost more than the maths
        row.url = f"{link}{row.nomination.pk}/"
        row.raw_text = "" if row.raw is None else f"{row.raw:.3f}"
        row.normalised_text = "" if row.normalised is None else f"{row.normalised:.3f}"
        row.tied, row.top = row.nomination.pk in tied, row.nomination.pk in sure
    return render(request, "esp/results/results.html", {
        "cycle": cycle, "round": round, "results": results, "cut": cut,
        "closed": (cycle.review_closed_at if round == "review" else cycle.interviews_closed_at) is not None,
        "criteria": cycle.criteria.filter(round=round).order_by("order"),
    })


@awards_staff_required
@require_http_methods(["GET", "POST"])
def staff_finalists(request, cycle_pk):
    cycle = get_object_or_404(AwardCycle, pk=cycle_pk)
    results = results_for(cycle, "review")
    cut = finalist_suggestion(cycle, results)
    rows = [row for row in results.rows if row.nomination.status == Nomination.Status.SCREENED_IN]
    choices = [(str(row.nomination.pk), f"{_label(row.nomination)}: rank {row.normalised_rank or 'none'}")
               for row in rows]
    form = FinalistsForm(posted_data(request), choices=choices,
                         initial={"nominations": [str(n.pk) for n in cut.sure]})
    if request.method == "POST" and form.is_valid():
        chosen = list(Nomination.objects.filter(cycle=cycle, pk__in=form.cleaned_data["nominations"]))
        try:
            finalists_confirm(cycle=cycle, nominations=chosen, actor=request.user)
        except ReviewError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{len(chosen)} finalist(s) named; nominees and nominators are being told.")
            return redirect("esp:staff_review_cycle", cycle_pk=cycle.pk)
    return render(request, "esp/results/finalists.html", {"cycle": cycle, "form": form, "cut": cut,
                                                          "tied": [_label(n) for n in cut.tied]})


@awards_staff_required
@require_http_methods(["GET", "POST"])
def staff_winner(request, cycle_pk):
    """Choose the winner among the finalists: a choice, then a confirmation."""
    cycle = get_object_or_404(AwardCycle, pk=cycle_pk)
    results = results_for(cycle, "interview")
    finalists = [row for row in results.rows if row.nomination.status == Nomination.Status.FINALIST]
    choices = [(str(row.nomination.pk), f"{_label(row.nomination)}: interview rank {row.normalised_rank or 'none'}")
               for row in finalists]
    form = WinnerForm(posted_data(request), choices=choices)
    chosen = None
    if request.method == "POST" and form.is_valid():
        chosen = next(row.nomination for row in finalists if str(row.nomination.pk) == form.cleaned_data["nomination"])
        if "confirm" in request.POST:
            try:
                winner_confirm(cycle=cycle, nomination=chosen, actor=request.user)
            except ReviewError as error:
                form.add_error(None, error.message)
                chosen = None
            else:
                messages.success(request, f"{chosen.nominee.display_name} is the {cycle.name} {cycle.year}. "
                                          "Certificates and the NEA packet are being prepared.")
                return redirect("esp:staff_packet", cycle_pk=cycle.pk)
    return render(request, "esp/results/winner.html", {"cycle": cycle, "form": form, "chosen": chosen,
                                                       "chosen_label": _label(chosen) if chosen else "",
                                                       "results": results})


@awards_staff_required
@require_http_methods(["GET", "POST"])
def staff_packet(request, cycle_pk):
    """The winning packet for the NEA: who sends it (only MAE's point of contact), its PDF, when it was sent."""
    cycle = get_object_or_404(AwardCycle.objects.select_related("nea_contact", "packet_sent_by", "winner__nominee"),
                              pk=cycle_pk)
    form = NeaContactForm(initial={"contact": cycle.nea_contact_id})
    if request.method == "POST":
        try:
            if "contact" in request.POST:
                form = NeaContactForm(request.POST)
                if form.is_valid():
                    nea_contact_set(cycle=cycle, contact=form.cleaned_data["contact"], actor=request.user)
                    messages.success(request, "Point of contact saved.")
                    return redirect("esp:staff_packet", cycle_pk=cycle.pk)
            elif "sent" in request.POST:
                packet_mark_sent(cycle=cycle, actor=request.user)
                messages.success(request, "Recorded: the packet was sent to the NEA.")
                return redirect("esp:staff_packet", cycle_pk=cycle.pk)
        except ReviewError as error:
            messages.error(request, error.message)
    packet = certificates = None
    if cycle.winner_id:
        packet = documents_of(cycle.winner, kind="award_packet").first()
        certificates = _certificates(cycle)
    return render(request, "esp/results/packet.html", {
        "cycle": cycle, "form": form, "packet": packet, "certificates": certificates,
        "is_contact": cycle.nea_contact_id == request.user.pk})


def _certificates(cycle):
    from django.contrib.contenttypes.models import ContentType

    from mae_portal.models import StoredDocument

    finalists = {str(n.pk): n for n in Nomination.objects.filter(
        cycle=cycle, status__in=(Nomination.Status.WINNER, Nomination.Status.FINALIST)).select_related("nominee")}
    documents = StoredDocument.objects.filter(kind="award_certificate", subject_type=ContentType.objects.get_for_model(
        Nomination), subject_id__in=list(finalists))
    return [(finalists[d.subject_id], d) for d in documents]


@awards_staff_required
@require_GET
def staff_cycle_audit(request, cycle_pk):
    """Every score change, assignment and decision of the cycle, newest first."""
    cycle = get_object_or_404(AwardCycle, pk=cycle_pk)
    from django.contrib.contenttypes.models import ContentType

    entries = (AuditLog.objects.filter(subject_type=ContentType.objects.get_for_model(AwardCycle),
                                       subject_id=str(cycle.pk), action__in=list(REVIEW_AUDIT_ACTIONS))
               .select_related("actor", "content_type").order_by("-created_at", "-id"))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    page.object_list = audit_subjects(page.object_list, user=request.user)
    return render(request, "esp/results/audit.html", {"cycle": cycle, "page": page})
