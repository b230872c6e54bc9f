"""The roster local leaders and directors see, its CSV export, and a member's page for them."""

import csv

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from mae_portal.access import get_visible_or_404
from mae_portal.audit import client_ip
from members.forms.roster import RosterFilterForm
from members.rules import locals_visible_to, members_visible_to
from members.selectors.search import queryset_page
from members.services.profile import roster_export_audit

ROSTER_PAGE_SIZE = 50


def _roster(request):
    if not rules.has_perm("members.view_roster", request.user):  # the rule alone: no ModelBackend queries
        raise PermissionDenied
    form = RosterFilterForm(request.GET or None, locals_qs=locals_visible_to(request.user))
    members = members_visible_to(request.user)
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            match = Q(legal_last_name__icontains=query) | Q(legal_first_name__icontains=query)
            match |= Q(preferred_name__icontains=query) | Q(email__icontains=query)
            if query.isdigit():
                match |= Q(member_number=int(query))
            members = members.filter(match)
        if form.cleaned_data["local"]:
            members = members.filter(local=form.cleaned_data["local"])
    return form, members


# What the roster's table shows of each member, and the roster's rows built from them (see _roster_rows).
ROSTER_ROW_FIELDS = ("pk", "member_number", "legal_last_name", "legal_first_name", "preferred_name", "local__name",
                     "worksite__name", "employer_district__name", "career_field__name")
_NUMBER = 987654321  # stands for the member number in the reversed URL of a member's page


def _roster_rows(rows) -> str:
    """The roster table's rows, built here rather than by the template engine (fifty rows cost more than the rest
    of the page): the markup the template's loop wrote, every value escaped."""
    url_start, url_end = reverse("members:member_detail", args=[_NUMBER]).split(str(_NUMBER))
    out = []
    for m in rows:
        number = m.member_number
        place = m.worksite__name if m.worksite__name is not None else (m.employer_district__name or "")
        out.append(
            f'\n    <tr><td><a href="{url_start}{number}{url_end}">{escape(m.legal_last_name)}, '
            f'{escape(m.preferred_name or m.legal_first_name)}</a></td>\n'
            f'      <td>{number}</td><td>{escape(m.local__name or "")}</td>\n'
            f'      <td>{escape(place)}</td>\n'
            f'      <td>{escape(m.career_field__name or "")}</td></tr>\n  '
        )
    return mark_safe("".join(out))  # every value above is escaped


@require_GET  # pages that only show something: POST answers 405
@login_required
def roster(request):
    form, members = _roster(request)
    # Not counted: a region's roster is tens of thousands of members, and counting them cost more than the page.
    page = queryset_page(members.values_list(*ROSTER_ROW_FIELDS, named=True), page_number=request.GET.get("page"),
                         per_page=ROSTER_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "members/roster.html", {
        "form": form, "page": page, "rows": _roster_rows(page), "query": query.urlencode(),
    })


class _Echo:
    def write(self, value):
        return value


ROSTER_COLUMNS = [
    ("Member number", lambda m: m.member_number),
    ("Last name", lambda m: m.legal_last_name),
    ("First name", lambda m: m.legal_first_name),
    ("Preferred name", lambda m: m.preferred_name),
    ("Email", lambda m: m.email),
    ("Mobile phone", lambda m: m.mobile_phone),
    ("Local", lambda m: m.local or ""),
    ("District", lambda m: m.employer_district or ""),
    ("Worksite", lambda m: m.worksite.name if m.worksite else ""),
    ("Job title", lambda m: m.job_title),
    ("Career field", lambda m: m.career_field or ""),
    ("Basis", lambda m: m.get_employment_basis_display()),
]


def _csv_safe(value):
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
@login_required
def roster_export(request):
    form, members = _roster(request)
    members = members.select_related("local", "employer_district", "worksite", "career_field")
    count = members.count()
    roster_export_audit(
        actor=request.user, count=count, filters={k: v for k, v in request.GET.items()}, ip=client_ip(request)
    )
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow([name for name, _ in ROSTER_COLUMNS])
        for member in members.iterator(chunk_size=500):
            yield writer.writerow([_csv_safe(get(member)) for _, get in ROSTER_COLUMNS])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mae-roster.csv"'
    return response


@require_GET
@login_required
def member_detail(request, member_number):
    member = get_visible_or_404(
        members_visible_to(request.user).select_related(
            "user", "local", "employer_district__region", "worksite", "career_field"
        ),
        member_number=member_number,
    )
    return render(request, "members/member_detail.html", {"member": member})
