"""Factories for the ESP of the Year: a cycle with its five criteria, nominations."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import factory

from esp.models import AwardCycle, Criterion, Nomination
from esp.models.awards import CRITERIA

CHICAGO = ZoneInfo("America/Chicago")


class AwardCycleFactory(factory.django.DjangoModelFactory):
    """A 2027 cycle taking nominations from Dec 1, 2026 to Jan 31, 2027 (Mississippi time), with the five
    criteria of DESIGN.md at weight 1 and two interview criteria."""

    class Meta:
        model = AwardCycle
        skip_postgeneration_save = True

    year = factory.Sequence(lambda n: 2027 + n)
    phase = AwardCycle.Phase.NOMINATIONS
    nominations_open_at = datetime(2026, 12, 1, 8, 0, tzinfo=CHICAGO)
    nominations_close_at = datetime(2027, 1, 31, 23, 59, tzinfo=CHICAGO)
    screening_ends_on = date(2027, 2, 12)
    review_opens_on = date(2027, 2, 15)
    review_closes_on = date(2027, 3, 12)
    finalists_on = date(2027, 3, 19)
    winner_on = date(2027, 4, 16)

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        if not create:
            return
        for order, (name, description) in enumerate(CRITERIA, 1):
            Criterion.objects.create(cycle=self, order=order, name=name, description=description)
        for order, name in enumerate(["Interview: vision for ESPs", "Interview: communication"], 1):
            Criterion.objects.create(cycle=self, round=Criterion.Round.INTERVIEW, order=order, name=name)


class NominationFactory(factory.django.DjangoModelFactory):
    """A draft nomination of `nominee` (a Member) by `nominator` (a User)."""

    class Meta:
        model = Nomination

    cycle = factory.SubFactory(AwardCycleFactory)
    nominee = None
    nominator = None
    nominator_statement = "She keeps every route running and trains every new driver."
