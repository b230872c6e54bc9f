"""Which case type and version a case follows; editing case types and school calendars in the admin."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from advocacy.admin_case_types import copy_version
from advocacy.models import CaseDeadline, CaseEvent, CaseType, CaseTypeVersion, SchoolYear, StepRule
from advocacy.selectors.case_types import suggested_case_type, suggested_case_types, version_in_force
from advocacy.services.deadlines import case_event_record
from mae_portal.permissions import Groups
from members.models import CareerField, DistrictClosure
from tests.advocacy.factories import GrievanceCaseFactory, ladder
from tests.factories import MemberFactory

D = date


@pytest.fixture
def policy(world):
    """A district's own grievance policy with two versions."""
    case_type = CaseType.objects.create(name="Tupelo grievance policy", kind="grievance", district=world.district_a)
    first = CaseTypeVersion.objects.create(case_type=case_type, number=1, effective_from=D(2019, 7, 1), citation="GAE")
    second = CaseTypeVersion.objects.create(case_type=case_type, number=2, effective_from=D(2026, 7, 1), citation="GAE")
    return case_type, first, second


@pytest.mark.parametrize(("filed_on", "number"), [
    (D(2019, 6, 30), None), (D(2019, 7, 1), 1), (D(2026, 6, 30), 1), (D(2026, 7, 1), 2), (D(2027, 3, 1), 2),
])
def test_version_in_force_on_the_filing_date(policy, filed_on, number):
    version = version_in_force(policy[0], filed_on)
    assert (version.number if version else None) == number


def test_a_case_keeps_its_version_when_a_new_one_takes_effect(policy, member, director):
    case_type, first, _ = policy
    StepRule.objects.create(version=first, order=1, name="File with the principal", party="employee", days=10,
                            unit="calendar", anchor_event="incident", consequence="Waived.")
    case = GrievanceCaseFactory(grievant=member.member, director=director, filed_on=D(2026, 6, 15),
                                case_type_version=version_in_force(case_type, D(2026, 6, 15)))
    CaseTypeVersion.objects.create(case_type=case_type, number=3, effective_from=D(2026, 6, 20), citation="GAE")
    case_event_record(case=case, kind=CaseEvent.Kind.INCIDENT, occurred_on=D(2026, 6, 10), actor=director,
                      today=D(2026, 6, 30))
    case.refresh_from_db()
    assert case.case_type_version == first
    assert CaseDeadline.objects.get(case=case).step.name == "File with the principal"


def _member(world, slug):
    return MemberFactory(employer_district=world.district_a, local=world.local_a,
                         career_field=CareerField.objects.get(slug=slug) if slug else None)


def test_suggested_case_types(world, policy):
    statewide = CaseType.objects.get(kind="grievance", district__isnull=True)
    nonrenewal = CaseType.objects.get(kind="nonrenewal")
    teacher = _member(world, CareerField.objects.filter(kind="professional").first().slug)
    esp = _member(world, CareerField.objects.filter(kind="esp").first().slug)
    unknown = _member(world, None)
    assert suggested_case_types(teacher, world.district_a) == [nonrenewal, policy[0]]  # the district's own policy
    assert suggested_case_types(teacher, world.district_b) == [nonrenewal, statewide]
    assert suggested_case_types(esp, world.district_a) == [policy[0]]
    assert suggested_case_type(esp, world.district_b) == statewide
    assert suggested_case_types(unknown, world.district_b) == [statewide]
    assert suggested_case_types(None, world.district_b) == [statewide]  # a non-member asking for help
    policy[0].active = False
    policy[0].save()
    assert suggested_case_type(esp, world.district_a) == statewide


def _step_formset(version, steps, **changes):
    """The admin change form of a version with its steps, as the browser sends it."""
    data = {"case_type": version.case_type_id, "number": version.number,
            "effective_from": version.effective_from.isoformat(), "citation": version.citation, "notes": version.notes,
            "steps-TOTAL_FORMS": len(steps), "steps-INITIAL_FORMS": len(steps), "steps-MIN_NUM_FORMS": 0,
            "steps-MAX_NUM_FORMS": 1000}
    for i, step in enumerate(steps):
        for field in ("order", "name", "party", "days", "unit", "direction", "anchor_event", "consequence", "citation"):
            data[f"steps-{i}-{field}"] = getattr(step, field)
        data[f"steps-{i}-anchor_step"] = step.anchor_step_id or ""
        data[f"steps-{i}-id"] = step.pk
        data[f"steps-{i}-version"] = version.pk
    for key, value in changes.items():
        data[key] = value
    return data


def test_a_version_with_cases_cannot_change_in_the_admin(client, region_manager, member, director):
    version, steps = ladder()
    GrievanceCaseFactory(grievant=member.member, director=director)
    client.force_login(region_manager)
    url = reverse("admin:advocacy_casetypeversion_change", args=[version.pk])
    page = client.get(url)
    assert page.status_code == 200 and "1 case was filed under this version" in page.content.decode()
    response = client.post(url, _step_formset(version, list(steps.values()), **{"steps-0-days": 20}))
    assert response.status_code == 200
    assert "a case keeps the version it was filed under" in response.content.decode()
    assert StepRule.objects.get(pk=steps[1].pk).days == 10


def test_a_version_without_cases_can_change_and_is_copied_as_a_new_version(client, region_manager):
    version, steps = ladder()
    client.force_login(region_manager)
    url = reverse("admin:advocacy_casetypeversion_change", args=[version.pk])
    response = client.post(url, _step_formset(version, list(steps.values()), **{"steps-0-days": 15}))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert StepRule.objects.get(pk=steps[1].pk).days == 15

    copy = copy_version(version=version, actor=region_manager, today=D(2026, 12, 1))
    assert (copy.number, copy.effective_from) == (2, D(2026, 12, 2))
    copied = {step.order: step for step in copy.steps.all()}
    assert len(copied) == 6 and copied[1].days == 15
    assert copied[3].anchor_step == copied[2]  # anchors point inside the new version


def test_a_step_must_count_from_one_anchor_of_its_own_version(client, admin_user):
    version, steps = ladder()
    other, other_steps = ladder(CaseType.Kind.NONRENEWAL)
    client.force_login(admin_user)
    url = reverse("admin:advocacy_casetypeversion_change", args=[version.pk])
    response = client.post(url, _step_formset(version, list(steps.values()), **{"steps-1-anchor_event": "incident"}))
    assert "not both" in response.content.decode()
    response = client.post(url, _step_formset(version, list(steps.values()),
                                              **{"steps-1-anchor_step": other_steps[1].pk}))
    assert response.status_code == 200
    assert StepRule.objects.get(pk=steps[2].pk).anchor_step == steps[1]


def test_region_managers_may_edit_case_types_in_the_admin(region_manager):
    permissions = set(Group.objects.get(name=Groups.REGION_MANAGERS).permissions.values_list("codename", flat=True))
    assert {"change_casetype", "add_casetypeversion", "change_steprule", "delete_steprule", "change_schoolyear",
            "add_schoolbreak"} <= permissions
    assert "delete_casetypeversion" not in permissions


def test_closure_edited_in_members_admin_recomputes_open_deadlines(client, admin_user, member, director, world,
                                                                    django_capture_on_commit_callbacks):
    computed = GrievanceCaseFactory(grievant=member.member, director=director)
    overridden = GrievanceCaseFactory(grievant=member.member, director=director)
    for case in (computed, overridden):
        case_event_record(case=case, kind=CaseEvent.Kind.INCIDENT, occurred_on=D(2026, 11, 16), actor=director,
                          today=D(2026, 11, 20))
    from advocacy.services.deadlines import deadline_override

    deadline_override(deadline=CaseDeadline.objects.get(case=overridden), due=D(2026, 12, 3), reason="agreed",
                      actor=director)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:members_districtclosure_add"),
                               {"district": world.district_a.pk, "day": "2026-11-27", "reason": "Thanksgiving break"})
    assert response.status_code == 302
    assert CaseDeadline.objects.get(case=computed).computed_due == D(2026, 12, 2)
    kept = CaseDeadline.objects.get(case=overridden)
    assert (kept.computed_due, kept.due) == (D(2026, 12, 1), D(2026, 12, 3))

    closure = DistrictClosure.objects.get(day=D(2026, 11, 27))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:members_districtclosure_delete", args=[closure.pk]), {"post": "yes"})
    assert CaseDeadline.objects.get(case=computed).computed_due == D(2026, 12, 1)


def test_school_year_edited_in_the_admin_recomputes(client, admin_user, member, director, world,
                                                    django_capture_on_commit_callbacks):
    version, _ = ladder()
    custom = CaseTypeVersion.objects.create(case_type=version.case_type, number=7, effective_from=D(2031, 1, 1),
                                            citation="x")
    StepRule.objects.create(version=custom, order=1, name="School-day answer", party="district", days=3,
                            unit="school", anchor_event="incident", consequence="Appeal.")
    year = SchoolYear.objects.create(district=world.district_a, first_day=D(2026, 8, 6), last_day=D(2027, 5, 21))
    case = GrievanceCaseFactory(grievant=member.member, director=director, case_type_version=custom)
    case_event_record(case=case, kind=CaseEvent.Kind.INCIDENT, occurred_on=D(2026, 8, 3), actor=director,
                      today=D(2026, 8, 4))
    assert CaseDeadline.objects.get(case=case).computed_due == D(2026, 8, 10)  # Thu 6, Fri 7, Mon 10
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:advocacy_schoolyear_change", args=[year.pk]),
                               {"district": world.district_a.pk, "first_day": "2026-08-10", "last_day": "2027-05-21"})
    assert response.status_code == 302
    assert CaseDeadline.objects.get(case=case).computed_due == D(2026, 8, 12)


def test_the_case_type_page_refuses_changing_a_version_with_cases_but_adds_a_new_one(client, region_manager, member,
                                                                                     director):
    version, _ = ladder()
    case_type = version.case_type
    GrievanceCaseFactory(grievant=member.member, director=director)
    client.force_login(region_manager)
    url = reverse("admin:advocacy_casetype_change", args=[case_type.pk])
    data = {"name": case_type.name, "kind": case_type.kind, "covers": case_type.covers, "district": "",
            "description": case_type.description, "active": "on",
            "versions-TOTAL_FORMS": 1, "versions-INITIAL_FORMS": 1, "versions-MIN_NUM_FORMS": 0,
            "versions-MAX_NUM_FORMS": 1000, "versions-0-id": version.pk, "versions-0-case_type": case_type.pk,
            "versions-0-number": 1, "versions-0-effective_from": "2016-07-01", "versions-0-citation": version.citation}
    refused = client.post(url, data)
    assert refused.status_code == 200 and "Version 1: 1 case was filed under this version" in refused.content.decode()
    assert CaseTypeVersion.objects.get(pk=version.pk).effective_from == D(2015, 7, 1)
    data.update({"versions-0-effective_from": "2015-07-01", "versions-TOTAL_FORMS": 2, "versions-1-case_type": case_type.pk,
                 "versions-1-number": 2, "versions-1-effective_from": "2027-07-01", "versions-1-citation": "GAE 2027"})
    assert client.post(url, data).status_code == 302
    assert version_in_force(case_type, D(2027, 7, 1)).citation == "GAE 2027"
