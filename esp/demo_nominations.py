"""Demo data for the nominations (the `load_demo` command, order 80, before the review loader): the open
cycle gets a nomination in every state, so the awards persona has screening to do and the review loader
(esp/demo_review.py, order 90) has screened-in nominations to assign.

Drafts at each stage of consent (not asked, asked and waiting, declined, given with statements and a letter
requested but no endorsement yet), one submitted and waiting for screening, four screened in, one screened
out with its note, one withdrawn. Idempotent: a state already present in the cycle is not made again."""

from datetime import timedelta

from django.utils import timezone

from esp.demo_review import _open_cycle
from esp.models import Criterion, Nomination, NominationStatement, SupportLetter
from members.models import Member, User

S = Nomination.Status
SCREENED_IN = 4


def _slots(now):
    """(label, filter that says the state exists, fields of a new one, statements?, letter?)"""
    ago = now - timedelta(days=10)
    return [
        ("draft, consent not asked yet", {"status": S.DRAFT, "consent_requested_at__isnull": True},
         {"status": S.DRAFT}, False, False),
        ("draft, consent asked and waiting",
         {"status": S.DRAFT, "consent_requested_at__isnull": False, "consented_at__isnull": True,
          "consent_declined_at__isnull": True},
         {"status": S.DRAFT, "consent_requested_at": ago}, False, False),
        ("draft, consent declined", {"status": S.DRAFT, "consent_declined_at__isnull": False},
         {"status": S.DRAFT, "consent_requested_at": ago, "consent_declined_at": ago + timedelta(days=1)}, False, False),
        ("draft, consent given, statements written, a letter requested, no endorsement yet",
         {"status": S.DRAFT, "consented_at__isnull": False},
         {"status": S.DRAFT, "consent_requested_at": ago, "consented_at": ago + timedelta(days=1)}, True, True),
        ("submitted, waiting for screening", {"status": S.SUBMITTED}, {"status": S.SUBMITTED}, True, False),
        ("screened out", {"status": S.SCREENED_OUT},
         {"status": S.SCREENED_OUT, "screening_note": "The nominee retired in June: the award is for serving ESPs."},
         True, False),
        ("withdrawn", {"status": S.WITHDRAWN}, {"status": S.WITHDRAWN}, False, False),
    ] + [("screened in", {"status": S.SCREENED_IN}, {"status": S.SCREENED_IN}, True, False)] * SCREENED_IN


def _eligibility(today):
    return {"passed": True, "checked_on": today.isoformat(), "rules": [
        {"label": "Active ESP member", "passed": True, "why": "Demo data: taken as checked."}]}


def nominations_demo_loader(*, today, options) -> list[str]:
    nominator = User.objects.filter(email="member@example.org").first()
    leader = User.objects.filter(email="leader@example.org").first()
    awards = User.objects.filter(email="awards@example.org").first()
    if nominator is None or leader is None or awards is None:
        return ["Nominations demo skipped: the members demo's personas are missing."]
    now = timezone.now()
    cycle = _open_cycle(today)
    criteria = list(cycle.criteria.filter(round=Criterion.Round.REVIEW).order_by("order"))
    taken = set(Nomination.objects.filter(cycle=cycle).values_list("nominee_id", flat=True))
    nominees = iter(Member.objects.filter(career_field__kind="esp", local__isnull=False).exclude(pk__in=taken)
                    .exclude(user__email__in=["member@example.org", "leader@example.org"])
                    .select_related("worksite").order_by("pk"))
    made, wanted_in = [], SCREENED_IN - Nomination.objects.filter(cycle=cycle, status=S.SCREENED_IN).count()
    for label, exists, fields, statements, letter in _slots(now):
        if label == "screened in":
            if wanted_in <= 0:
                continue
            wanted_in -= 1
        elif Nomination.objects.filter(cycle=cycle, **exists).exists():
            continue
        nominee = next(nominees, None)
        if nominee is None:
            break
        past_draft = fields["status"] not in (S.DRAFT, S.WITHDRAWN)
        extra = {"submitted_at": now - timedelta(days=5), "consent_requested_at": now - timedelta(days=20),
                 "consented_at": now - timedelta(days=19), "endorsed_by": leader, "endorsed_at": now - timedelta(days=6),
                 "endorsement_text": "The local is proud to put this nomination forward.",
                 "eligibility": _eligibility(today)} if past_draft else {}
        if fields["status"] in (S.SCREENED_IN, S.SCREENED_OUT):
            extra.update(screened_by=awards, screened_at=now - timedelta(days=3))
        nomination = Nomination.objects.create(
            cycle=cycle, nominee=nominee, nominator=nominator if len(made) % 2 == 0 else leader,
            nominator_statement=f"{nominee.display_name} is the first one in every morning and the last one out.",
            **extra, **fields)
        if statements:
            site = nominee.worksite.name if nominee.worksite_id else "our school"
            NominationStatement.objects.bulk_create([NominationStatement(
                nomination=nomination, criterion=c,
                text=f"At {site}, {nominee.legal_first_name} {c.description[0].lower()}{c.description[1:]}")
                for c in criteria])
        if letter:
            SupportLetter.objects.create(nomination=nomination, writer_name="Dr. Ruth Hale",
                                         writer_email="ruth.hale@example.org", writer_relationship="Principal",
                                         requested_at=now - timedelta(days=2))
        made.append(label)
    counts = {s.label: Nomination.objects.filter(cycle=cycle, status=s.value).count() for s in S}
    summary = ", ".join(f"{n} {label.lower()}" for label, n in counts.items() if n)
    return [f"Award nominations: {cycle} has {summary}; {len(made)} new."]
