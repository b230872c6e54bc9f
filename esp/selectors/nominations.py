"""Reads of nominations: eligibility facts from the members app's public selectors, the nominator's,
nominee's and president's lists, the screening list, and a nomination's checklist."""

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q

from esp.eligibility import Eligibility, TermFact, check_eligibility
from esp.models import AwardCycle, Criterion, Nomination, NominationStatement, SupportLetter
from esp.rules import nominations_of_nominator, nominations_to_endorse
from members.models import LocalOfficer, Member
from members.selectors.terms import member_terms


def eligibility_facts(member: Member, *, today: date) -> list[TermFact]:
    return [
        TermFact(start=t.start, end=t.end, status=str(t.status), membership_year=t.membership_year,
                 category=t.category.name, is_retired=t.category.is_retired)
        for t in member_terms(member, today=today)
    ]


def nominee_eligibility(member: Member, *, cycle: AwardCycle, today: date) -> Eligibility:
    field = member.career_field
    return check_eligibility(career_field_kind=field.kind if field else None, career_field_name=field.name if field else "",
                             terms=eligibility_facts(member, today=today), today=today,
                             min_years=cycle.min_membership_years)


def with_parts(queryset):
    """Nominations with what their pages show: cycle, nominee (and local), nominator, statements, letters."""
    return queryset.select_related("cycle", "nominee__local", "nominee__career_field", "nominee__user", "nominator",
                                   "endorsed_by", "screened_by").prefetch_related(
        Prefetch("statements", queryset=NominationStatement.objects.select_related("criterion")),
        Prefetch("letters", queryset=SupportLetter.objects.select_related("document")),
        Prefetch("cycle__criteria", queryset=Criterion.objects.filter(round=Criterion.Round.REVIEW)),
    )


def _counted(queryset):
    return queryset.select_related("cycle", "nominee", "nominator").annotate(
        letters_received=Count("letters", filter=Q(letters__document__isnull=False), distinct=True),
        statements_written=Count("statements", filter=~Q(statements__text=""), distinct=True),
    )


def nominations_made_by(user):
    """The nominator's nominations, newest first, with counts for the list (no query per row)."""
    return _counted(nominations_of_nominator(user)).order_by("-cycle__year", "-created_at")


def nominations_of_nominee_list(user):
    return (Nomination.objects.filter(nominee__user=user).exclude(status=Nomination.Status.WITHDRAWN)
            .select_related("cycle", "nominator").order_by("-cycle__year"))


def nominations_awaiting_endorsement(user):
    """Drafts of members of the locals this user presides over, not endorsed yet."""
    presided = LocalOfficer.objects.filter(user=user, role=LocalOfficer.Role.PRESIDENT).values("local_id")
    return (nominations_to_endorse(user).filter(status=Nomination.Status.DRAFT, endorsed_at__isnull=True,
                                                nominee__local__in=presided)
            .select_related("cycle", "nominee", "nominator").order_by("-cycle__year", "created_at"))


def screening_list(cycle: AwardCycle):
    """A cycle's nominations past the draft stage (withdrawn ones last), for awards staff."""
    return _counted(cycle.nominations.exclude(status=Nomination.Status.DRAFT)).select_related(
        "nominee__local", "screened_by").order_by("status", "nominee__legal_last_name", "pk")


def is_president_of_nominees_local(user, nomination: Nomination) -> bool:
    return bool(nomination.nominee.local_id) and LocalOfficer.objects.filter(
        user=user, local_id=nomination.nominee.local_id, role=LocalOfficer.Role.PRESIDENT).exists()


def local_president(nomination: Nomination):
    officer = (LocalOfficer.objects.select_related("user").filter(local_id=nomination.nominee.local_id,
                                                                  role=LocalOfficer.Role.PRESIDENT).first()
               if nomination.nominee.local_id else None)
    return officer.user if officer else None


def word_count(text: str) -> int:
    return len(text.split())


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    done: bool
    detail: str


def checklist(nomination: Nomination) -> list[ChecklistItem]:
    """What a nomination still needs before it can be submitted, from a nomination loaded with with_parts()."""
    cycle = nomination.cycle
    criteria = list(cycle.criteria.all())
    statements = {s.criterion_id: s for s in nomination.statements.all()}
    limit = cycle.statement_max_words
    written = [c for c in criteria if statements.get(c.pk) and statements[c.pk].text.strip()]
    too_long = [c for c in written if word_count(statements[c.pk].text) > limit]
    received = sum(1 for letter in nomination.letters.all() if letter.document_id)
    eligibility = nomination.eligibility or {}
    failed = [r["why"] for r in eligibility.get("rules", []) if not r["passed"]]
    if nomination.consented_at:
        consent = (True, "Given.")
    elif nomination.consent_declined_at:
        consent = (False, "The nominee declined to be nominated.")
    elif nomination.consent_requested_at:
        consent = (False, "Asked by email; waiting for the nominee's answer.")
    else:
        consent = (False, "Not asked yet.")
    statement_detail = f"{len(written)} of {len(criteria)} written"
    if too_long:
        statement_detail += f"; over the {limit}-word limit: " + ", ".join(c.name for c in too_long)
    return [
        ChecklistItem("eligibility", "Eligibility", bool(eligibility.get("passed")),
                      "Passed." if eligibility.get("passed") else (" ".join(failed) or "Not checked yet.")),
        ChecklistItem("consent", "The nominee's consent", bool(nomination.consented_at), consent[1]),
        ChecklistItem("statements", "The nominee's statements", len(written) == len(criteria) and not too_long,
                      statement_detail + "."),
        ChecklistItem("letters", "Letters of support", received >= cycle.letters_required,
                      f"{received} of {cycle.letters_required} received."),
        ChecklistItem("endorsement", "The local president's endorsement", bool(nomination.endorsed_at),
                      "Given." if nomination.endorsed_at else "Not yet."),
    ]


# --- Who has something to do with a nomination (the menu and the dashboard ask on every page) --------------

_VERSION_KEY = "esp:nominations-version"


def involvement_changed() -> None:
    """Forget every user's cached involvement; the services call it after a commit that changes who is
    involved (a nomination started, answered, endorsed, submitted, withdrawn)."""
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 1, None)


def involvement(user) -> dict:
    """{"made": n nominations made, "nominee": a draft of them waits for their answer, "endorse": a draft waits
    for their endorsement as president}, from the cache when nothing changed since it was read (one query
    otherwise), and kept on the user object for the rest of the request: the menu shows "My nominations" on
    every page without a query. A change made outside the services (the admin, a new local president) shows
    within the hour the cached answer lives."""
    if not user.is_authenticated:
        return {"made": 0, "nominee": False, "endorse": False}
    if hasattr(user, "_esp_involvement"):
        return user._esp_involvement
    # One round trip for both: the version, and this user's answer with the version it was worked out for.
    key = f"esp:involvement:{user.pk}"
    read = cache.get_many([_VERSION_KEY, key])
    version, (found_for, found) = read.get(_VERSION_KEY, 0), read.get(key, (None, None))
    if found_for != version:
        presided = LocalOfficer.objects.filter(user=user, role=LocalOfficer.Role.PRESIDENT).values("local_id")
        draft = Q(status=Nomination.Status.DRAFT)
        to_endorse = draft & Q(endorsed_at__isnull=True, nominee__local__in=presided)
        counts = Nomination.objects.filter(Q(nominator=user) | (draft & Q(nominee__user=user)) | to_endorse).aggregate(
            n_made=Count("pk", filter=Q(nominator=user)), n_nominee=Count("pk", filter=draft & Q(nominee__user=user)),
            n_endorse=Count("pk", filter=to_endorse))  # aliases unlike the fields: "nominee" would shadow the relation
        found = {"made": counts["n_made"], "nominee": counts["n_nominee"] > 0, "endorse": counts["n_endorse"] > 0}
        cache.set(key, (version, found), 3600)
    user._esp_involvement = found
    return found
