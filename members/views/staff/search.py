"""The staff member search."""

from html import escape

from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from members import clock
from members.forms.staff import (
    StaffSearchForm,
)
from members.models import RenewalPolicy
from members.selectors.search import MEMBER_STATUSES, SEARCH_ROW_FIELDS, member_search_page, search_filter_choices
from members.services.standing import member_standing_ready
from members.views.field_markup import fields_markup
from members.views.staff.common import membership_staff_required

SEARCH_PAGE_SIZE = 50
FILTER_FIELDS = ("q", "status", "category", "career_field", "local", "region")
_NUMBER = 987654321  # stands for the member number in the reversed URL of a member's page


def _result_rows(rows) -> str:
    """The result table's rows, built here rather than by the template engine (fifty rows of seven cells cost more
    than the rest of the page): the markup the template's loop wrote, every value escaped."""
    labels = dict(MEMBER_STATUSES)
    url_start, url_end = reverse("members:staff_member_detail", args=[_NUMBER]).split(str(_NUMBER))
    out = []
    for m in rows:
        number = m.member_number
        preferred = f' <span class="muted">({escape(m.preferred_name)})</span>' if m.preferred_name else ""
        nea = f'<br><span class="muted">NEA {escape(m.nea_id)}</span>' if m.nea_id else ""
        status = m.membership_status
        out.append(
            f'\n    <tr>\n      <td><a href="{url_start}{number}{url_end}">{escape(m.legal_last_name)}, '
            f'{escape(m.legal_first_name)}</a>{preferred}<br><span class="muted">{escape(m.email)}</span></td>\n'
            f'      <td>{number}{nea}</td>\n'
            f'      <td>{escape(labels.get(status, status))}</td>\n'
            f'      <td>{escape(m.latest_category_name or "")}</td>\n'
            f'      <td>{escape(m.employer_district__name or "")}</td>\n'
            f'      <td>{escape(m.local__name or "")}</td>\n'
            f'      <td>{escape(m.career_field__name or "")}</td>\n'
            f'    </tr>\n  '
        )
    return mark_safe("".join(out))  # every value above is escaped


@membership_staff_required
def member_search(request):
    form = StaffSearchForm(request.GET or None, choices=search_filter_choices())
    grace = RenewalPolicy.current().grace_period_days
    filters = form.cleaned_data if form.is_valid() else {}
    today = clock.today()
    # The statuses stored for today, once those of members changed since are worked out (else each is worked out).
    stored = member_standing_ready(today=today, grace_days=grace)
    page = member_search_page(
        page_number=request.GET.get("page"), per_page=SEARCH_PAGE_SIZE,
        query=filters.get("q", ""), status=filters.get("status", ""), category=filters.get("category"),
        career_field=filters.get("career_field"), local=filters.get("local"), region=filters.get("region"),
        today=today, grace_days=grace, stored_status=stored, fields=SEARCH_ROW_FIELDS,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "members/staff/search.html", {
        "form": form, "fields": fields_markup(form, FILTER_FIELDS), "page": page, "rows": _result_rows(page),
        "query": query.urlencode(), "searched": bool(query),
    })
