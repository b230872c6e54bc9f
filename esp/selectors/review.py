"""Reads of the review pages: reviewers, queues, what a reviewer may see of a nomination, the staff overview.

What a reviewer sees of a nomination is decided here, once (`blind_view`): every reviewer page and file
renders from it, never from the nomination itself, so a field the cycle hides cannot reach a template.
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from esp.models import Conflict, Criterion, Nomination, NominationStatement, Review, ReviewAssignment, SupportLetter
from esp.redaction import nominee_phrases, redact
from esp.rules import assignments_for_reviewer
from mae_portal.permissions import Groups
from members.models import User

REVIEWABLE = (Nomination.Status.SCREENED_IN, Nomination.Status.FINALIST, Nomination.Status.WINNER,
              Nomination.Status.NOT_SELECTED)
NOMINEE_RELATED = ("nominee__employer_district", "nominee__worksite", "nominee__local", "nominee__career_field",
                   "nominee__user", "nominator", "cycle")


def award_reviewers():
    """Active users in the Award reviewers group, with their member record's workplace."""
    return (User.objects.filter(groups__name=Groups.AWARD_REVIEWERS, is_active=True)
            .select_related("member__local", "member__employer_district", "member__worksite")
            .order_by("email").distinct())


def round_criteria(cycle, round):
    return list(Criterion.objects.filter(cycle=cycle, round=round).order_by("order"))


def reviewer_queue(user):
    """The reviewer's assignments (review and interview rounds), with their cycle and progress, in a fixed
    number of queries."""
    return (assignments_for_reviewer(user)
            .filter(nomination__status__in=REVIEWABLE)
            .select_related("nomination__cycle", "review")
            .annotate(scored=Count("review__scores"))
            .order_by("-nomination__cycle__year", "round", "pk"))


def reviewer_assignment(user, pk):
    from mae_portal.access import get_visible_or_404

    return get_visible_or_404(assignments_for_reviewer(user).select_related(
        *(f"nomination__{name}" for name in NOMINEE_RELATED), "review"), pk=pk)


def declarable_nominations(cycle):
    """What a reviewer may declare conflicts against: the nominee's name and district, nothing else."""
    return (Nomination.objects.filter(cycle=cycle, status__in=(Nomination.Status.SUBMITTED, *REVIEWABLE))
            .select_related("nominee__employer_district")
            .order_by("nominee__legal_last_name", "nominee__legal_first_name", "pk"))


def reviewer_label(assignment) -> str:
    """How reviewer pages name a nomination: by the assignment, never by the nomination's own number (the
    conflicts page lists nominees by name; a shared number would link the two)."""
    return f"Nomination R{assignment.pk}"


def blind_view(assignment) -> dict:
    """Everything a reviewer is shown of their assigned nomination, with what the cycle hides left out and
    the free text redacted when names are hidden (staff's copy, else the automatic suggestion)."""
    nomination, cycle = assignment.nomination, assignment.nomination.cycle
    nominee = nomination.nominee
    phrases = nominee_phrases(nominee)
    if not cycle.hide_worksite:
        phrases["worksites"] = []
    if not cycle.hide_district:
        phrases["districts"] = []
    nominator_names = []
    if cycle.hide_name:
        nominator_names = [nomination.nominator.get_full_name(), nomination.nominator.first_name,
                           nomination.nominator.last_name]
    else:
        phrases["names"] = []

    def clean(text):
        return redact(text, names=[*phrases["names"], *nominator_names], worksites=phrases["worksites"],
                      districts=phrases["districts"])

    statements = []
    for statement in (NominationStatement.objects.filter(nomination=nomination, criterion__round=Criterion.Round.REVIEW)
                      .select_related("criterion").order_by("criterion__order")):
        text = statement.text
        if cycle.hide_name or cycle.hide_worksite or cycle.hide_district:
            text = statement.redacted_text or clean(statement.text)
        statements.append({"criterion": statement.criterion, "text": text})
    letters = []
    for number, letter in enumerate(SupportLetter.objects.filter(nomination=nomination).order_by("created_at", "pk"), 1):
        available = letter_document_for_reviewer(letter, cycle) is not None
        letters.append({"pk": letter.pk, "label": f"Letter {number}", "relationship": letter.writer_relationship,
                        "writer": "" if cycle.hide_name else letter.writer_name, "available": available})
    return {
        "label": reviewer_label(assignment),
        "name": None if cycle.hide_name else nominee.display_name,
        "nominator": None if cycle.hide_name else nomination.nominator.get_full_name() or nomination.nominator.email,
        "worksite": None if cycle.hide_worksite or not nominee.worksite_id else nominee.worksite.name,
        "district": None if cycle.hide_district or not nominee.employer_district_id else nominee.employer_district.name,
        "job_title": nominee.job_title,
        "career_field": nominee.career_field.name if nominee.career_field_id else "",
        "photo": bool(nomination.photo_id) and not cycle.hide_photos,
        "nominator_statement": clean(nomination.nominator_statement) if cycle.hide_name else nomination.nominator_statement,
        "statements": statements,
        "letters": letters,
    }


def letter_document_for_reviewer(letter, cycle):
    """The file a reviewer gets for a letter: the redacted copy when names are hidden (none yet: nothing,
    a PDF cannot be redacted automatically), else the letter as received."""
    if cycle.hide_name or cycle.hide_worksite or cycle.hide_district:
        return letter.redacted_document if letter.redacted_document_id else None
    return letter.document if letter.document_id else None


def staff_cycle_nominations(cycle, *, round=ReviewAssignment.Round.REVIEW) -> list:
    """The cycle's reviewable nominations, each with `reviewers` (emails, this round), `submitted` (how many
    of them submitted) and `conflict_count`: the staff overview's rows in two queries of light rows."""
    nominations = list(Nomination.objects.filter(cycle=cycle, status__in=REVIEWABLE)
                       .select_related("nominee__employer_district")
                       .only("pk", "status", "nominee__legal_first_name", "nominee__preferred_name",
                             "nominee__legal_last_name", "nominee__employer_district__name")
                       .annotate(conflict_count=Count("conflicts", distinct=True))
                       .order_by("nominee__legal_last_name", "nominee__legal_first_name", "pk"))
    rows = {n.pk: n for n in nominations}
    for n in nominations:
        n.reviewers, n.submitted = [], 0
    for nomination_id, email, submitted_at in (
            ReviewAssignment.objects.filter(nomination__in=list(rows), round=round).order_by("reviewer__email")
            .values_list("nomination_id", "reviewer__email", "review__submitted_at")):
        rows[nomination_id].reviewers.append(email)
        rows[nomination_id].submitted += submitted_at is not None
    return nominations


def submitted_reviews(cycle, round):
    """The round's submitted reviews with their scores, for the results: [(nomination id, reviewer id,
    {criterion id: value})], conflicted reviews left out. One query of plain tuples: the results page reads
    every score of the round on each request."""
    from esp.models import Score

    conflicted = Conflict.objects.filter(nomination=OuterRef("review__assignment__nomination"),
                                         reviewer=OuterRef("review__assignment__reviewer"))
    rows = (Score.objects.filter(review__assignment__nomination__cycle=cycle, review__assignment__round=round,
                                 review__submitted_at__isnull=False)
            .exclude(Exists(conflicted))
            .values_list("review__assignment__nomination_id", "review__assignment__reviewer_id", "criterion_id",
                         "value"))
    reviews = {}
    for nomination, reviewer, criterion, value in rows:
        reviews.setdefault((nomination, reviewer), {})[criterion] = value
    return [(nomination, reviewer, scores) for (nomination, reviewer), scores in reviews.items()]


def other_reviews(assignment):
    """The other reviewers' submitted reviews of the same nomination and round, with scores (shown only
    after the round closes)."""
    return (Review.objects.filter(assignment__nomination=assignment.nomination_id, assignment__round=assignment.round,
                                  submitted_at__isnull=False)
            .exclude(assignment=assignment).select_related("assignment")
            .prefetch_related(Prefetch("scores", queryset=_scores_in_order())).order_by("assignment__pk"))


def _scores_in_order():
    from esp.models import Score

    return Score.objects.select_related("criterion").order_by("criterion__order")


def unfinished_assignments(*, round, cycles):
    return (ReviewAssignment.objects.filter(round=round, nomination__cycle__in=cycles,
                                            nomination__status__in=REVIEWABLE)
            .filter(Q(review__isnull=True) | Q(review__submitted_at__isnull=True))
            .exclude(Exists(Conflict.objects.filter(nomination=OuterRef("nomination"), reviewer=OuterRef("reviewer")))))
