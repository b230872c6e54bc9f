"""The member record's table rows (memberships, payments, audit trail), built here rather than by the template
engine: a member with a year of drafts has dozens of rows, and the engine spent more on them than on the rest
of the page. The markup is what members/staff/member.html's loops wrote, each value formatted as the template
formats it (numbers localized, dates in the current time zone) and escaped."""

import html
from datetime import date, datetime

from django.template.defaultfilters import capfirst
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat, formats
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from mae_portal.audit import audit_action_label
from mae_portal.templatetags.audit_tags import audit_changes
from members.models import Payment, PaymentPlan

# Stand for the member number and a row's id in a URL reversed once: 20 digits each, longer than any number a
# URL of the record holds otherwise (a bigint), so each is found only where it goes.
_MEMBER, _ROW = 10**19 + 3, 10**19 + 7
# What get_FOO_display() gives, looked up once.
PLAN_KINDS, METHODS, STATUSES = (dict(choices.choices) for choices in (PaymentPlan.Kind, Payment.Method, Payment.Status))


def _esc(text: str) -> str:
    """A {{ value }} of a text field read from the database (plain text, never marked safe): escaped."""
    return html.escape(text)


class Formats:
    """How the template shows numbers and dates, for one page: {{ number }} (localized), {{ value|date:"M j, Y" }}
    and {{ value|date:"M j, Y g:i a" }}, each escaped. The month names and a.m./p.m. come from Django's date
    format (in the active language) once, and each number's text once."""

    def __init__(self):
        self._numbers, self._months, self._halves = {}, {}, {}

    def number(self, value) -> str:
        key = str(value)  # not the value: 12.5 and 12.50 are equal but shown apart
        text = self._numbers.get(key)
        if text is None:
            text = self._numbers[key] = conditional_escape(str(formats.localize(value)))
        return text

    def _month(self, month: int) -> str:
        name = self._months.get(month)
        if name is None:
            name = self._months[month] = conditional_escape(dateformat.format(date(2000, month, 1), "M"))
        return name

    def day(self, value) -> str:
        """{{ value|date:"M j, Y" }}: "Sep 1, 2026"."""
        if value in (None, ""):
            return ""
        value = template_localtime(value)
        return f"{self._month(value.month)} {value.day}, {value.year:04d}"

    def moment(self, value: datetime | None) -> str:
        """{{ value|date:"M j, Y g:i a" }}: "Sep 1, 2026 7:30 p.m."."""
        if value in (None, ""):
            return ""
        value = template_localtime(value)
        half = value.hour > 11
        meridiem = self._halves.get(half)
        if meridiem is None:
            meridiem = self._halves[half] = conditional_escape(dateformat.format(value, "a"))
        return f"{self.day(value)} {value.hour % 12 or 12}:{value.minute:02d} {meridiem}"


# (URL name, script prefix, URLconf) -> the URL's text before the member number, between it and the row id, after.
_ROW_URLS: dict = {}


def _row_url(name: str, member_number) -> tuple[str, str]:
    """The URL of `name` for a row of this member's record, around where the row's id goes: reversed once per
    process (and script prefix), as reverse() would give it."""
    key = (name, get_script_prefix(), get_urlconf())
    parts = _ROW_URLS.get(key)
    if parts is None:
        before, rest = reverse(name, args=[_MEMBER, _ROW]).split(str(_MEMBER), 1)
        between, after = rest.rsplit(str(_ROW), 1)
        parts = _ROW_URLS[key] = (before, between, after)
    before, between, after = parts
    return f"{before}{member_number}{between}", after


def term_rows(member, terms) -> SafeString:
    """The rows of the memberships table; `terms` with paid and status (terms_money_from_payments)."""
    urls = {name: _row_url(f"members:staff_term_{name}", member.member_number)
            for name in ("reinstate", "category", "cancel")}
    urls.update({name: _row_url(f"members:staff_payment_{name}", member.member_number) for name in ("record", "adjust")})
    f, out = Formats(), []
    for term in terms:
        year = _esc(term.year_label)
        pk = term.pk
        renewal = '<br><span class="muted">renewal</span>' if term.continues_id else ""
        plan = f'<br><span class="muted">{_esc(PLAN_KINDS.get(term.plan.kind, term.plan.kind))}</span>' if term.plan else ""
        if term.cancelled_at:
            cancelled = f'<br><span class="muted">{f.day(term.cancelled_at)}: {_esc(term.cancel_reason)}</span>'
            start, end = urls["reinstate"]
            actions = (f'\n          <a href="{start}{pk}{end}" aria-label="Reinstate the {year} membership">Reinstate</a>'
                       '\n        ')
        else:
            cancelled = ""
            links = [("record", f"Record a payment for {year}", "Record payment"),
                     ("adjust", f"Credit or charge {year}", "Credit or charge"),
                     ("category", f"Change the category of {year}", "Change category"),
                     ("cancel", f"Cancel the {year} membership", "Cancel")]
            actions = "<br>".join(f'\n          <a href="{urls[name][0]}{pk}{urls[name][1]}" aria-label="{label}">{text}</a>'
                                  for name, label, text in links) + "\n        "
        out.append(
            f'\n    <tr>\n      <td>{year}{renewal}</td>\n'
            f'      <td>{_esc(str(term.category))}{plan}</td>\n'
            f'      <td>{f.day(term.start)} to {f.day(term.end)}</td>\n'
            f'      <td>${f.number(term.amount_due)}<br><span class="muted">local ${f.number(term.local_share)}, '
            f'state ${f.number(term.state_share)}, national ${f.number(term.national_share)}</span></td>\n'
            f'      <td>${f.number(term.paid)}</td>\n'
            f'      <td>{conditional_escape(capfirst(term.status))}{cancelled}</td>\n'
            f'      <td>\n        {actions}\n      </td>\n'
            f'    </tr>\n  '
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)


def payment_rows(member, payments) -> SafeString:
    """The rows of the payments table; `payments` with their terms, refunded and refundable."""
    refund_start, refund_end = _row_url("members:staff_payment_refund", member.member_number)
    f, out = Formats(), []
    for p in payments:
        paid_on = f.day(p.paid_at)
        day = paid_on if p.paid_at else f.day(p.due_on) if p.due_on else f.day(p.created_at)
        amount = f.number(p.amount)
        refunded = f'<br><span class="muted">${f.number(p.refunded)} refunded</span>' if p.refunded else ""
        installment = (f'<br><span class="muted">installment {f.number(p.installment_number)}</span>'
                       if p.installment_number else "")
        details = f"Check {_esc(p.check_number)}. " if p.check_number else ""
        if p.refund_of:
            details += f"Refund of ${f.number(p.refund_of.amount)} paid {f.day(p.refund_of.paid_at)}. "
        details += _esc(p.note)
        if p.failure_message:
            details += f" {_esc(p.failure_message)}"
        if p.recorded_by:
            details += f'<br><span class="muted">by {_esc(p.recorded_by.email)}</span>'
        action = ""
        if p.refundable > 0:
            of = f" of {paid_on}" if p.paid_at else ""
            action = (f'<a href="{refund_start}{p.pk}{refund_end}" aria-label="Refund the ${amount} payment{of}">'
                      'Refund</a>')
        out.append(
            f'\n    <tr>\n      <td>{day}</td>\n'
            f'      <td>{_esc(p.term.year_label)}</td>\n'
            f'      <td>${amount}{refunded}</td>\n'
            f'      <td>{_esc(METHODS.get(p.method, p.method))}{installment}</td>\n'
            f'      <td>{_esc(STATUSES.get(p.status, p.status))}</td>\n'
            f'      <td>{details}</td>\n'
            f'      <td>{action}</td>\n'
            f'    </tr>\n  '
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)


def trail_rows(trail) -> SafeString:
    """The rows of the audit trail table."""
    f, out = Formats(), []
    for entry in trail:
        actor = (entry.actor.email if entry.actor is not None else "") or "System"
        out.append(
            f'\n    <tr><td>{f.moment(entry.created_at)}</td><td>{_esc(actor)}</td>'
            f'<td>{conditional_escape(audit_action_label(entry.action))}</td><td>{_esc(entry.object_repr)}</td>'
            f'<td>{conditional_escape(audit_changes(entry.changes))}</td></tr>\n  '
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)
