"""The caseload: the cases a user works, each with its next open deadline, overdue first; the counts by step
and status over the same filtered set. The number of queries does not depend on the number of cases: a page
is three (caseload_page), the CSV export one plus its grievants' prefetch (caseload_list)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, Min, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from advocacy.models import CaseDeadline, GrievanceCase
from advocacy.rules import cases_for_staff
from mae_portal.permissions import is_region_manager
from members.models import District, Member, UniServRegion, User

ACTIVE = "active"  # the status filter's default: open and on hold
CASE_LIST_RELATED = ("region", "director", "district", "worksite", "issue_category", "current_step",
                     "case_type_version__case_type")


def case_page_url(pk: int) -> str:
    """The staff case page of case `pk` (advocacy/urls_cases.py): the parent of its letters' address."""
    return reverse("advocacy:case_letters", args=[pk]).removesuffix("letters/")


def due_expression(prefix: str = ""):
    """The date that counts, in SQL: the override, else the agreed extension, else the computed date."""
    return Coalesce(f"{prefix}override_due", f"{prefix}extended_due", f"{prefix}computed_due")


def open_deadlines():
    return (CaseDeadline.objects.filter(status=CaseDeadline.Status.OPEN).annotate(due_on=due_expression())
            .order_by("due_on", "step__order"))


@dataclass
class CaseloadFilters:
    status: str = ACTIVE
    director: User | None = None
    district: District | None = None
    issue_category: object = None
    step: object = None
    region: UniServRegion | None = None
    q: str = ""
    overdue_only: bool = False


def _number_filter(text: str) -> Q:
    """"2026-0042" or "0042" or a word of the title."""
    text = text.strip()
    year, _, sequence = text.partition("-")
    if sequence and year.isdigit() and sequence.isdigit():
        return Q(filed_on__year=int(year), sequence=int(sequence))
    if text.isdigit():
        return Q(sequence=int(text)) | Q(title__icontains=text)
    return Q(title__icontains=text) | Q(supervisor__icontains=text)


def filtered_cases(user, filters: CaseloadFilters, *, today: date):
    """The cases `user` works that match `filters` (no annotations: the base of the list and the counts)."""
    cases = cases_for_staff(user)
    if filters.status == ACTIVE:
        cases = cases.exclude(status=GrievanceCase.Status.CLOSED)
    elif filters.status:
        cases = cases.filter(status=filters.status)
    for name in ("director", "district", "issue_category", "region"):
        value = getattr(filters, name)
        if value is not None:
            cases = cases.filter(**{name: value})
    if filters.step is not None:
        cases = cases.filter(current_step=filters.step)
    if filters.q.strip():
        cases = cases.filter(_number_filter(filters.q))
    if filters.overdue_only:
        cases = cases.filter(Exists(open_deadlines().filter(case=OuterRef("pk"), due_on__lt=today)))
    return cases


def caseload_list(cases, *, today: date):
    """`cases` with their next open deadline (`next_due`, `next_step`, `overdue`), overdue first, then by the
    next date (cases with none last), grievants prefetched: the whole list in one query (the CSV export;
    the page uses caseload_page, which computes this for its own cases only)."""
    upcoming = open_deadlines().filter(case=OuterRef("pk"))
    return (cases.select_related(*CASE_LIST_RELATED)
            .annotate(next_due=Subquery(upcoming.values("due_on")[:1]),
                      next_step=Subquery(upcoming.values("step__name")[:1]))
            .annotate(overdue=ExpressionWrapper(Q(next_due__lt=today), output_field=BooleanField()))
            .prefetch_related(Prefetch("grievants", queryset=Member.objects.only(
                "pk", "legal_first_name", "legal_last_name", "preferred_name")))
            .order_by(F("overdue").desc(nulls_last=True), F("next_due").asc(nulls_last=True), "-sequence"))


class _Counted:
    """A sliceable list of pks whose length is already known: the paginator does not count it again."""

    def __init__(self, queryset, count):
        self.queryset, self._count = queryset, count

    def count(self):
        return self._count

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]


def caseload_page(cases, *, today: date, number, per_page: int, count: int):
    """One page of the caseload in its order (overdue first, then by the next date), in three queries however
    many cases match: the page's pks in order (the next date as a grouped MIN over the deadlines, which
    PostgreSQL computes in one pass, not a subquery per case), then those cases with what the list shows, then
    their open deadlines (the next one's step). Each case gets `next_due`, `next_step` and `overdue`."""
    ordered = (cases.annotate(next_due=Min(due_expression("deadlines__"),
                                           filter=Q(deadlines__status=CaseDeadline.Status.OPEN)))
               .annotate(overdue=ExpressionWrapper(Q(next_due__lt=today), output_field=BooleanField()))
               .order_by(F("overdue").desc(nulls_last=True), F("next_due").asc(nulls_last=True), "-sequence")
               .values_list("pk", flat=True))
    page = Paginator(_Counted(ordered, count), per_page).get_page(number)
    pks = list(page.object_list)
    loaded = {case.pk: case for case in GrievanceCase.objects.filter(pk__in=pks).select_related(*CASE_LIST_RELATED)
              .prefetch_related(Prefetch("grievants", queryset=Member.objects.only(
                  "pk", "legal_first_name", "legal_last_name", "preferred_name")))}
    upcoming = {}
    for deadline in open_deadlines().filter(case_id__in=pks).values("case_id", "due_on", "step__name"):
        upcoming.setdefault(deadline["case_id"], deadline)  # the first: the earliest date
    rows = []
    for pk in pks:
        case = loaded[pk]
        following = upcoming.get(pk)
        case.next_due = following["due_on"] if following else None
        case.next_step = following["step__name"] if following else ""
        case.overdue = bool(case.next_due and case.next_due < today)
        rows.append(case)
    page.object_list = rows
    return page


def caseload_counts(cases, *, today: date) -> dict:
    """Totals over the filtered set: cases, overdue, due within a week (one query)."""
    deadlines = open_deadlines().filter(case=OuterRef("pk"))
    return cases.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(Exists(deadlines.filter(due_on__lt=today)))),
        this_week=Count("pk", filter=Q(Exists(deadlines.filter(due_on__gte=today, due_on__lte=today + timedelta(days=7))))),
    )


def caseload_by_step(cases) -> list[dict]:
    """Rows of (case type, step) with a count per status, in ladder order (one query)."""
    rows = (cases.values("current_step__version__case_type__name", "current_step__order", "current_step__name", "status")
            .annotate(n=Count("pk"))
            .order_by("current_step__version__case_type__name", "current_step__order", "status"))
    table: dict = {}
    for row in rows:
        key = (row["current_step__version__case_type__name"] or "", row["current_step__order"] or 0,
               row["current_step__name"] or "No step yet")
        counts = table.setdefault(key, {status: 0 for status in GrievanceCase.Status.values})
        counts[row["status"]] = row["n"]
    return [{"case_type": case_type, "step": step, "counts": [counts[s] for s in GrievanceCase.Status.values],
             "total": sum(counts.values())} for (case_type, _, step), counts in table.items()]


def regions_for(user):
    if is_region_manager(user):
        return UniServRegion.objects.all()
    return UniServRegion.objects.filter(directors=user)


def directors_for(user):
    """The directors whose cases this user may filter by: of their regions, or every region for a manager."""
    return (User.objects.filter(uniserv_regions__in=regions_for(user)).distinct()
            .order_by("last_name", "first_name", "email"))


def districts_for(user):
    return District.objects.filter(region__in=regions_for(user)).order_by("name")
