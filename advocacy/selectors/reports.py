"""Manager reports: cases filed in a period counted by district, worksite, supervisor, issue category, outcome
and director, and the supervisors named again and again. Every count is one GROUP BY in PostgreSQL."""

from datetime import date

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Case, Count, F, Min, Q, Value, When
from django.db.models.functions import Concat, Lower, Trim

from advocacy.models import GrievanceCase

TOP = 25  # rows per table and chart; the caption says when there are more


def school_year_of(day: date) -> tuple[date, date]:
    """The school year containing `day`: July 1 to June 30, the districts' fiscal year."""
    start = date(day.year if day.month >= 7 else day.year - 1, 7, 1)
    return start, date(start.year + 1, 6, 30)


def report_cases(*, start: date, end: date, region=None):
    cases = GrievanceCase.objects.filter(filed_on__gte=start, filed_on__lte=end)
    return cases.filter(region=region) if region is not None else cases


def _grouped(cases, label, *, extra=None):
    """[{"label", "n", "open"}] by `label` (an expression), largest first, at most TOP, and how many groups."""
    rows = (cases.annotate(label=label).values("label")
            .annotate(n=Count("pk"), open=Count("pk", filter=~Q(status=GrievanceCase.Status.CLOSED)), **(extra or {}))
            .order_by("-n", "label"))
    return list(rows[:TOP]), rows.count()


def _outcome_label():
    whens = [When(status=GrievanceCase.Status.CLOSED, outcome=value, then=Value(label))
             for value, label in GrievanceCase.Outcome.choices]
    return Case(*whens, default=Value("Still open"))


def manager_report(cases) -> dict:
    """Every breakdown of `cases`: {key: {"title", "rows", "groups"}}, and the total."""
    breakdowns = {
        "district": ("District", F("district__name")),
        "worksite": ("Worksite", Concat(F("worksite__name"), Value(" ("), F("district__name"), Value(")"))),
        "issue": ("Issue category", F("issue_category__name")),
        "outcome": ("Outcome", _outcome_label()),
        "director": ("Director", Case(When(director__first_name="", director__last_name="", then=F("director__email")),
                                      default=Concat(F("director__first_name"), Value(" "), F("director__last_name")))),
    }
    report = {}
    for key, (title, label) in breakdowns.items():
        source = cases.exclude(worksite=None) if key == "worksite" else cases
        rows, groups = _grouped(source, label)
        report[key] = {"key": key, "title": title, "rows": rows, "groups": groups}
    rows, groups = _grouped(cases.exclude(supervisor=""), Concat(Trim("supervisor"), Value(" ("), F("district__name"), Value(")")))
    report["supervisor"] = {"key": "supervisor", "title": "Supervisor", "rows": rows, "groups": groups}
    return report


def repeat_supervisors(cases, *, at_least: int = 2):
    """Supervisors named on `at_least` cases or more (spelling and case differences of one name in one
    district counted together), with their worksites and the issues raised: the pattern an organiser acts on."""
    return list(cases.exclude(supervisor="")
                .annotate(key=Lower(Trim("supervisor")))
                .values("key", "district__name")
                .annotate(name=Min(Trim("supervisor")), n=Count("pk"),
                          open=Count("pk", filter=~Q(status=GrievanceCase.Status.CLOSED)),
                          worksites=StringAgg("worksite__name", ", ", distinct=True, default=Value(""),
                                              order_by="worksite__name"),
                          issues=StringAgg("issue_category__name", ", ", distinct=True, default=Value(""),
                                           order_by="issue_category__name"),
                          first=Min("filed_on"))
                .filter(n__gte=at_least)
                .order_by("-n", "name")[:TOP])


ROW_HEIGHT = 38  # chart units per bar: its label above, the bar, its number after it
BAR_WIDTH = 500  # the longest bar; the chart is 600 wide, leaving room for the number


def chart_rows(rows) -> tuple[list[dict], int]:
    """Rows with the geometry of their bars (width, y, text_x) for the bar-chart template, and its height."""
    top = max((row["n"] for row in rows), default=0) or 1
    drawn = []
    for index, row in enumerate(rows):
        width = round(row["n"] * BAR_WIDTH / top, 1)
        drawn.append({**row, "width": width, "y": index * ROW_HEIGHT, "text_x": round(width + 6, 1)})
    return drawn, max(len(rows), 1) * ROW_HEIGHT
