"""Demo data for the review (the `load_demo` command, after the members and the other esp loaders): a
second reviewer persona, reviewer2@example.org, with one declared conflict, and the open cycle's nominations
that passed screening assigned to the reviewers, so the reviewer and awards personas have real work.

Idempotent. It builds on what the nomination loader made; when no nomination has passed screening yet (a
database without it), it makes a few of its own from ESP members, with statements."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from esp.models import AwardCycle, Conflict, Criterion, Nomination, NominationStatement
from esp.models.awards import CRITERIA
from mae_portal.permissions import Groups
from members.models import Member, User

CHICAGO = ZoneInfo("America/Chicago")
REVIEWER2 = ("reviewer2@example.org", "Odessa", "Flowers")


def _open_cycle(today):
    cycle = (AwardCycle.objects.exclude(phase__in=[AwardCycle.Phase.DECIDED, AwardCycle.Phase.CLOSED])
             .order_by("-year").first())
    if cycle is not None:
        return cycle
    year = today.year + 1
    start = datetime.combine(today - timedelta(days=60), time(8), tzinfo=CHICAGO)
    cycle, created = AwardCycle.objects.get_or_create(year=year, defaults={
        "phase": AwardCycle.Phase.REVIEW, "nominations_open_at": start,
        "nominations_close_at": start + timedelta(days=45), "screening_ends_on": today - timedelta(days=7),
        "review_opens_on": today - timedelta(days=3), "review_closes_on": today + timedelta(days=21),
        "finalists_on": today + timedelta(days=28), "winner_on": today + timedelta(days=56),
        "reviewers_per_nomination": 2, "finalist_count": 3})
    if created:
        for order, (name, description) in enumerate(CRITERIA, 1):
            Criterion.objects.create(cycle=cycle, order=order, name=name, description=description)
        for order, name in enumerate(["Interview: vision for ESPs", "Interview: communication"], 1):
            Criterion.objects.create(cycle=cycle, round=Criterion.Round.INTERVIEW, order=order, name=name)
    return cycle


def _some_nominations(cycle, nominator, count=6):
    taken = Nomination.objects.filter(cycle=cycle).values("nominee_id")
    nominees = (Member.objects.filter(career_field__kind="esp").exclude(pk__in=taken)
                .select_related("worksite").order_by("pk")[:count])
    criteria = list(cycle.criteria.filter(round=Criterion.Round.REVIEW).order_by("order"))
    for nominee in nominees:
        nomination = Nomination.objects.create(
            cycle=cycle, nominee=nominee, nominator=nominator, status=Nomination.Status.SCREENED_IN,
            submitted_at=timezone.now(), consented_at=timezone.now(),
            nominator_statement=f"{nominee.display_name} is the first one in every morning and the last one out.")
        site = nominee.worksite.name if nominee.worksite_id else "our school"
        NominationStatement.objects.bulk_create([NominationStatement(
            nomination=nomination, criterion=criterion,
            text=f"At {site}, {nominee.legal_first_name} {criterion.description[0].lower()}{criterion.description[1:]}")
            for criterion in criteria])


def review_demo_loader(*, today, options) -> list[str]:
    from esp.services.assignment import assignments_auto
    from esp.services.conflicts import conflict_declare

    email, first, last = REVIEWER2
    reviewer2 = User.objects.filter(email=email).first() or User.objects.create_user(
        email, settings.DEMO_PASSWORD, first_name=first, last_name=last)
    EmailAddress.objects.update_or_create(user=reviewer2, email=email, defaults={"verified": True, "primary": True})
    reviewer2.groups.add(Group.objects.get_or_create(name=Groups.AWARD_REVIEWERS)[0])
    awards = User.objects.filter(email="awards@example.org").first()
    leader = User.objects.filter(email="leader@example.org").first()
    if awards is None or leader is None:
        return ["Review demo skipped: the members demo's personas are missing."]
    cycle = _open_cycle(today)
    if not Nomination.objects.filter(cycle=cycle, status=Nomination.Status.SCREENED_IN).exists():
        _some_nominations(cycle, leader)
    screened = list(Nomination.objects.filter(cycle=cycle, status=Nomination.Status.SCREENED_IN)
                    .select_related("cycle").order_by("pk"))
    if screened and not Conflict.objects.filter(reviewer=reviewer2, source=Conflict.Source.DECLARED).exists():
        conflict_declare(nomination=screened[-1], reviewer=reviewer2, kind=Conflict.Kind.RELATIVE,
                         note="The nominee is my sister-in-law.")
    lines = [f"  {email:<26} {first} {last} (Award reviewers; one declared conflict)"]
    if cycle.review_closed_at is None and screened:
        result = assignments_auto(cycle=cycle, round="review", actor=awards)
        short = f", {sum(result.plan.shortfall.values())} reviewer places short" if result.plan.shortfall else ""
        lines.append(f"Award review: {cycle} has {len(screened)} nominations in review; {result.created} new "
                     f"assignments for {result.reviewers} reviewers{short}.")
    return lines
