"""Case letters: staff-edited templates rendered in a sandbox, and the "case_letter" document kind.

A LetterTemplate's body is Django template syntax, rendered by an Engine of its own: no loaders (so no
{% include %} or {% extends %}), no libraries to {% load %}, and only the tags and filters listed below.
Its context is a fixed dict of plain strings and dates made from the case (`letter_context`): no model
object reaches a template, so no attribute or method of one can be reached through it. Private notes are
not in it, and never will be: a letter goes to the district and the member.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.base import VariableNode
from django.template.defaulttags import ForNode

from mae_portal.documents import DocumentKind, register_document_kind

LETTER_KIND = "case_letter"
MAX_TEMPLATE_LENGTH = 20_000

# What a template may use. Everything else (load, include, extends, url, debug, csrf_token, ...) is unknown
# to the engine and refused when the template is saved.
SAFE_TAGS = ("if", "for", "with", "comment", "spaceless", "now", "firstof", "templatetag")
SAFE_FILTERS = ("date", "default", "default_if_none", "upper", "lower", "title", "capfirst", "join", "length",
                "pluralize", "yesno", "linebreaksbr", "cut", "first", "last", "floatformat", "add")

LETTER_FIELDS = {
    "case_number": "The case number, e.g. 2026-0042",
    "case_title": "The case's title",
    "grievant_names": "The grievants' names, joined with \"and\"",
    "grievants": "Each grievant, for a {% for %} loop: grievant.name, grievant.address",
    "grievant_name": "The first grievant's name",
    "grievant_address": "The first grievant's mailing address (several lines)",
    "district": "The school district",
    "worksite": "The worksite (school or department)",
    "supervisor": "The supervisor named on the case",
    "director_name": "The UniServ director working the case",
    "director_email": "The director's email address",
    "region": "The UniServ region",
    "today": "Today's date (use |date:\"F j, Y\")",
    "issue": "The issue category",
    "policy_cited": "The policy or statute cited",
    "facts": "The facts of the case",
    "remedy_sought": "The remedy sought",
    "filed_on": "The day the case was opened",
    "hearing_date": "The latest scheduled hearing's date, if any",
    "current_step": "The case's current step",
    "current_step_due": "The current step's due date, if any",
}


def _library() -> Library:
    library = Library()
    for name in SAFE_TAGS:
        library.tags[name] = defaulttags.register.tags[name]
    for name in SAFE_FILTERS:
        library.filters[name] = defaultfilters.register.filters[name]
    return library


class _LetterEngine(Engine):
    default_builtins = []  # not defaulttags/defaultfilters/loader_tags: only _library()'s tags and filters


_ENGINE = _LetterEngine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=False,
                        string_if_invalid="", debug=False)
_ENGINE.template_builtins = [_library()]


def compile_letter(body: str):
    """The compiled template, or ValidationError with a message staff can act on."""
    if len(body) > MAX_TEMPLATE_LENGTH:
        raise ValidationError(f"A letter template may be at most {MAX_TEMPLATE_LENGTH:,} characters long.")
    try:
        template = _ENGINE.from_string(body)
    except TemplateSyntaxError as error:
        message = str(error).replace(" Did you forget to register or load this tag?", "").rstrip(".")
        raise ValidationError(f"{message}. Letter templates may use the case fields listed, the tags "
                              f"{', '.join(SAFE_TAGS)} and the filters {', '.join(SAFE_FILTERS)}.") from None
    unknown = sorted(_unknown_fields(template))
    if unknown:
        written = ", ".join("{{ " + name + " }}" for name in unknown)
        raise ValidationError(f"Unknown case field{'s' if len(unknown) > 1 else ''}: {written}. "
                              f"The case fields are: {', '.join(LETTER_FIELDS)}.")
    return template


def _unknown_fields(template) -> set[str]:
    loop_names = {"forloop"}
    for node in template.nodelist.get_nodes_by_type(ForNode):
        loop_names.update(node.loopvars)
    names = set()
    for node in template.nodelist.get_nodes_by_type(VariableNode):
        var = node.filter_expression.var
        lookups = getattr(var, "lookups", None)
        if lookups:
            names.add(lookups[0])
    return names - set(LETTER_FIELDS) - loop_names


def render_letter(body: str, context: dict) -> str:
    """The letter's text: the template rendered with `context` (from letter_context)."""
    return compile_letter(body).render(Context(context, autoescape=False)).strip() + "\n"


def _address(member) -> str:
    city_line = " ".join(part for part in [f"{member.city}," if member.city else "", member.state, member.zip_code] if part)
    lines = [member.legal_name, member.address_line1, member.address_line2, city_line.strip(" ,")]
    return "\n".join(line for line in lines if line)


def _and(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def letter_context(case, *, today: date, grievants=None, hearing_date=None, current_due=None) -> dict:
    """The fixed context of a letter on `case`: strings and dates only (the case loaded with its district,
    worksite, director, region, issue category and current step). `grievants`, `hearing_date` and
    `current_due` may be passed in; otherwise they are read here."""
    from advocacy.models import CaseDeadline, CaseEvent

    if grievants is None:
        grievants = list(case.grievants.all())
    if hearing_date is None:
        hearing_date = (CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.HEARING_SCHEDULED)
                        .order_by("-occurred_on").values_list("occurred_on", flat=True).first())
    if current_due is None and case.current_step_id:
        deadline = CaseDeadline.objects.filter(case=case, step_id=case.current_step_id).first()
        current_due = deadline.due if deadline else None
    names = [member.legal_name for member in grievants]
    director = case.director
    return {
        "case_number": case.number,
        "case_title": case.title,
        "grievant_names": _and(names),
        "grievants": [{"name": member.legal_name, "address": _address(member)} for member in grievants],
        "grievant_name": names[0] if names else "",
        "grievant_address": _address(grievants[0]) if grievants else "",
        "district": case.district.name,
        "worksite": case.worksite.name if case.worksite_id else "",
        "supervisor": case.supervisor,
        "director_name": director.get_full_name() or director.email,
        "director_email": director.email,
        "region": case.region.name,
        "today": today,
        "issue": case.issue_category.name,
        "policy_cited": case.policy_cited,
        "facts": case.facts,
        "remedy_sought": case.remedy_sought,
        "filed_on": case.filed_on,
        "hearing_date": hearing_date,
        "current_step": case.current_step.name if case.current_step_id else "",
        "current_step_due": current_due,
    }


def sample_context() -> dict:
    """What a template is tried with when it is saved: every case field filled."""
    sample = {name: "Sample" for name in LETTER_FIELDS}
    sample.update(today=date(2026, 10, 12), filed_on=date(2026, 10, 12), hearing_date=date(2026, 11, 2),
                  current_step_due=date(2026, 10, 26), grievants=[{"name": "Sample", "address": "Sample"}])
    return sample


def check_letter_template(body: str) -> None:
    """Raise ValidationError unless `body` compiles and renders with a full sample context."""
    template = compile_letter(body)
    try:
        template.render(Context(sample_context(), autoescape=False))
    except (TemplateSyntaxError, TypeError, ValueError) as error:
        raise ValidationError(f"The template could not be filled in: {error}.") from None


# --- The document kind -------------------------------------------------------------------------------------


def _letter_document_context(pk):
    from advocacy.models import CaseLetter

    letter = (CaseLetter.objects.select_related("case__district", "case__worksite", "case__director", "case__region",
                                                "case__issue_category", "case__current_step")
              .filter(pk=pk, status=CaseLetter.Status.FINAL).first())
    if letter is None:
        return None
    return {"letter": letter, "case": letter.case, "paragraphs": [p for p in letter.body.split("\n\n") if p.strip()]}


def letter_document_scope(user) -> Q:
    """Over StoredDocument: the letters of the cases this user works (never a member's: a letter is staff work)."""
    from advocacy.models import CaseLetter
    from advocacy.rules import cases_for_staff

    letters = (CaseLetter.objects.filter(case__in=cases_for_staff(user).values("pk"))
               .annotate(key=Cast("pk", CharField())).values("key"))
    return Q(subject_id__in=letters)


LETTER_DOCUMENT_KIND = DocumentKind(
    name=LETTER_KIND, label="Case letter", subject_model="advocacy.CaseLetter",
    template="advocacy/pdf/letter.html", context=_letter_document_context, visible_to=letter_document_scope,
    title=lambda c: f"Letter, case {c['case'].number}: {c['letter'].subject}",
    download_name=lambda c: f"mae-letter-{c['case'].number}-{c['letter'].pk}.pdf",
)


def register_letter_document_kind(*, on_open=None) -> None:
    """`on_open(document, request)`: what the download door does each time it serves a letter (the audit)."""
    register_document_kind(dataclasses.replace(LETTER_DOCUMENT_KIND, on_open=on_open))
