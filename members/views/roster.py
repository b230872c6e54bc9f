"""The roster local leaders and directors see, its CSV export, and a member's page for them."""

import csv
from html import escape

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from mae_portal.access import get_visible_or_404
from mae_portal.audit import client_ip
from members.forms.roster import RosterFilterForm
from members.rules import locals_in_scope, members_in_scope, members_visible_to, visibility_scope
from members.selectors.search import compiled_page, compiled_rows, queryset_page
from members.services.profile import roster_export_audit
from members.views.field_markup import fields_markup

ROSTER_PAGE_SIZE = 50


def _roster(request):
    """The filter form, and the roster's members as filtered: (form, visibility scope, query, local)."""
    if not rules.has_perm("members.view_roster", request.user):  # the rule alone: no ModelBackend queries
        raise PermissionDenied
    scope = visibility_scope(request.user)
    locals_qs = locals_in_scope(scope)
    # The scope's locals (pk, name), their SQL compiled once per scope.
    local_choices = [tuple(row) for row in compiled_rows(("roster-locals", scope),
                                                         lambda: locals_qs.values_list("pk", "name", named=True))]
    form = RosterFilterForm(request.GET or None, locals_qs=locals_qs, local_choices=local_choices)
    query, local = "", None
    if form.is_valid():
        query, local = form.cleaned_data["q"].strip(), form.cleaned_data["local"]
    return form, scope, query, local


def _members(scope, query, local):
    members = members_in_scope(scope)
    if query:
        match = Q(legal_last_name__icontains=query) | Q(legal_first_name__icontains=query)
        match |= Q(preferred_name__icontains=query) | Q(email__icontains=query)
        if query.isdigit():
            match |= Q(member_number=int(query))
        members = members.filter(match)
    if local:
        members = members.filter(local=local)
    return members


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
    form, scope, query, local = _roster(request)
    # Not counted: a region's roster is tens of thousands of members, and counting them cost more than the page.
    if query:  # words typed: read through the ORM
        page = queryset_page(_members(scope, query, local).values_list(*ROSTER_ROW_FIELDS, named=True),
                             page_number=request.GET.get("page"), per_page=ROSTER_PAGE_SIZE)
    else:  # the roster or one local of it, the pages read most: their SQL compiled once per scope and local
        page = compiled_page(("roster", scope, local.pk if local else None, ROSTER_ROW_FIELDS),
                             lambda: _members(scope, query, local).values_list(*ROSTER_ROW_FIELDS, named=True),
                             page_number=request.GET.get("page"), per_page=ROSTER_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "members/roster.html", {
        "form": form, "fields": fields_markup(form, ("q", "local")), "page": page, "rows": _roster_rows(page),
        "query": query.urlencode(),
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
    form, scope, query, local = _roster(request)
    members = _members(scope, query, local).select_related("local", "employer_district", "worksite", "career_field")
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
