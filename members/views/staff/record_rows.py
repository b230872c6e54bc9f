"""The member record's table rows (memberships, payments, audit trail), built here rather than by the template
engine: a member with a year of drafts has dozens of rows, and the engine spent more on them than on the rest
of the page. The markup is what members/staff/member.html's loops wrote, each value formatted as the template
formats it (numbers localized, dates in the current time zone) and escaped."""

from django.template.defaultfilters import capfirst
from django.urls import reverse
from django.utils import formats
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from mae_portal.audit import audit_action_label
from mae_portal.templatetags.audit_tags import audit_changes

# Stands for a row's id in a URL reversed once per page: 20 digits, longer than any member number (a bigint),
# so it is found only where the id goes.
_ROW = 10**19 + 7


def _text(value) -> str:
    """A {{ value }}: localized if a number, as text, escaped."""
    return conditional_escape(str(formats.localize(value)))


def _date(value, format_string: str = "M j, Y") -> str:
    """A {{ value|date:format_string }}."""
    if value in (None, ""):
        return ""
    return conditional_escape(formats.date_format(template_localtime(value), format_string))


def _row_url(name: str, member_number) -> tuple[str, str]:
    """The URL of `name` for a row of this member's record, around where the row's id goes."""
    start, end = reverse(name, args=[member_number, _ROW]).rsplit(str(_ROW), 1)
    return start, end


def term_rows(member, terms) -> SafeString:
    """The rows of the memberships table; `terms` with paid and status (terms_money_from_payments)."""
    urls = {name: _row_url(f"members:staff_term_{name}", member.member_number)
            for name in ("reinstate", "category", "cancel")}
    urls.update({name: _row_url(f"members:staff_payment_{name}", member.member_number) for name in ("record", "adjust")})
    out = []
    for term in terms:
        year = _text(term.year_label)
        pk = term.pk
        renewal = '<br><span class="muted">renewal</span>' if term.continues_id else ""
        plan = f'<br><span class="muted">{_text(term.plan.get_kind_display())}</span>' if term.plan else ""
        if term.cancelled_at:
            cancelled = f'<br><span class="muted">{_date(term.cancelled_at)}: {_text(term.cancel_reason)}</span>'
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
            f'      <td>{_text(term.category)}{plan}</td>\n'
            f'      <td>{_date(term.start)} to {_date(term.end)}</td>\n'
            f'      <td>${_text(term.amount_due)}<br><span class="muted">local ${_text(term.local_share)}, '
            f'state ${_text(term.state_share)}, national ${_text(term.national_share)}</span></td>\n'
            f'      <td>${_text(term.paid)}</td>\n'
            f'      <td>{conditional_escape(capfirst(term.status))}{cancelled}</td>\n'
            f'      <td>\n        {actions}\n      </td>\n'
            f'    </tr>\n  '
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)


def payment_rows(member, payments) -> SafeString:
    """The rows of the payments table; `payments` with their terms, refunded and refundable."""
    refund_start, refund_end = _row_url("members:staff_payment_refund", member.member_number)
    out = []
    for p in payments:
        day = _date(p.paid_at) if p.paid_at else _date(p.due_on) if p.due_on else _date(p.created_at)
        amount = _text(p.amount)
        refunded = f'<br><span class="muted">${_text(p.refunded)} refunded</span>' if p.refunded else ""
        installment = (f'<br><span class="muted">installment {_text(p.installment_number)}</span>'
                       if p.installment_number else "")
        details = f"Check {_text(p.check_number)}. " if p.check_number else ""
        if p.refund_of:
            details += f"Refund of ${_text(p.refund_of.amount)} paid {_date(p.refund_of.paid_at)}. "
        details += _text(p.note)
        if p.failure_message:
            details += f" {_text(p.failure_message)}"
        if p.recorded_by:
            details += f'<br><span class="muted">by {_text(p.recorded_by.email)}</span>'
        action = ""
        if p.refundable > 0:
            of = f" of {_date(p.paid_at)}" if p.paid_at else ""
            action = (f'<a href="{refund_start}{p.pk}{refund_end}" aria-label="Refund the ${amount} payment{of}">'
                      'Refund</a>')
        out.append(
            f'\n    <tr>\n      <td>{day}</td>\n'
            f'      <td>{_text(p.term.year_label)}</td>\n'
            f'      <td>${amount}{refunded}</td>\n'
            f'      <td>{_text(p.get_method_display())}{installment}</td>\n'
            f'      <td>{_text(p.get_status_display())}</td>\n'
            f'      <td>{details}</td>\n'
            f'      <td>{action}</td>\n'
            f'    </tr>\n  '
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)


def trail_rows(trail) -> SafeString:
    """The rows of the audit trail table."""
    out = []
    for entry in trail:
        actor = (entry.actor.email if entry.actor is not None else "") or "System"
        out.append(
            f'\n    <tr><td>{_date(entry.created_at, "M j, Y g:i a")}</td><td>{_text(actor)}</td>'
            f'<td>{_text(audit_action_label(entry.action))}</td><td>{_text(entry.object_repr)}</td>'
            f'<td>{_text(audit_changes(entry.changes))}</td></tr>\n  '
        )
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)
