"""Factories for advocacy: requests and cases on the starting case types (advocacy/reference.py)."""

from datetime import date

import factory

from advocacy.models import CaseType, GrievanceCase, IssueCategory, RepresentationRequest
from advocacy.reference import ensure_reference_data


def case_type(kind: str = CaseType.Kind.GRIEVANCE) -> CaseType:
    """A starting case type of this kind, restoring the reference rows if a transactional test flushed them."""
    if not CaseType.objects.filter(kind=kind).exists():
        ensure_reference_data()
    return CaseType.objects.filter(kind=kind).order_by("pk").first()


def ladder(kind: str = CaseType.Kind.GRIEVANCE):
    """The first version of a starting case type, with its steps by order: (version, {order: step})."""
    version = case_type(kind).versions.order_by("number").first()
    return version, {step.order: step for step in version.steps.all()}


def issue_category(name: str = "Evaluation") -> IssueCategory:
    if not IssueCategory.objects.filter(name=name).exists():
        ensure_reference_data()
    return IssueCategory.objects.get(name=name)


class RepresentationRequestFactory(factory.django.DjangoModelFactory):
    """A request from `member` (a Member with a user), routed to the region of the member's district."""

    class Meta:
        model = RepresentationRequest

    member = None
    requester = factory.LazyAttribute(lambda o: o.member.user)
    district = factory.LazyAttribute(lambda o: o.member.employer_district)
    region = factory.LazyAttribute(lambda o: o.district.region)
    worksite = factory.LazyAttribute(lambda o: o.member.worksite)
    supervisor = "Principal Dana Reed"
    summary = "Written reprimand without a meeting"
    what_happened = "I received a written reprimand for being late although my route was changed that morning."
    incident_date = date(2026, 10, 5)
    outcome_sought = "Remove the reprimand from my file."
    membership_on_incident = RepresentationRequest.Membership.MEMBER
    membership_note = "Member in good standing"


class GrievanceCaseFactory(factory.django.DjangoModelFactory):
    """A case for `grievant` (a Member) on the starting grievance policy, worked by `director`."""

    class Meta:
        model = GrievanceCase
        skip_postgeneration_save = True

    grievant = None  # popped in _create: the case's one grievant (add more with case.grievants.add)
    case_type_version = factory.LazyFunction(lambda: ladder()[0])
    district = factory.LazyAttribute(lambda o: o.grievant.employer_district)
    region = factory.LazyAttribute(lambda o: o.district.region)
    worksite = factory.LazyAttribute(lambda o: o.grievant.worksite)
    director = None
    supervisor = "Principal Dana Reed"
    issue_category = factory.LazyFunction(issue_category)
    title = "Reprimand without a hearing"
    facts = "A written reprimand was placed in the file without the meeting the policy requires."
    remedy_sought = "Remove the reprimand."
    filed_on = date(2026, 10, 12)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        grievant = kwargs.pop("grievant", None)
        obj = super()._create(model_class, *args, **kwargs)
        if grievant is not None:
            obj.grievants.add(grievant)
        obj.refresh_from_db(fields=["sequence"])
        return obj
