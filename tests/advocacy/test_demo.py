"""`make run`'s demo caseload: every region has intake, open cases at each level, overdue and closed ones."""

from collections import Counter
from datetime import date

import pytest

from advocacy.demo import demo_loader
from advocacy.models import CaseNote, CaseUpdate, GrievanceCase, RepresentationRequest
from mae_portal.roles import sync_group_permissions
from members.demo import load_demo
from members.models import CareerField, UniServRegion
from members.reference import ensure_career_fields

TODAY = date(2026, 12, 1)


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    ensure_career_fields(CareerField)
    sync_group_permissions()
    with django_capture_on_commit_callbacks(execute=True):
        load_demo(member_count=160, today=TODAY)
        lines = demo_loader(today=TODAY, options={})
    return lines


def test_every_region_has_a_realistic_caseload(demo):
    assert UniServRegion.objects.count() == 4
    for region in UniServRegion.objects.all():
        cases = GrievanceCase.objects.filter(region=region)
        assert region.directors.exists()
        assert cases.filter(status="open", case_type_version__case_type__kind="grievance").count() >= 4
        assert cases.filter(status="open", case_type_version__case_type__kind="nonrenewal").count() >= 2
        assert set(cases.filter(status="closed").values_list("outcome", flat=True)) == {"won", "settled", "lost", "withdrawn"}
        assert RepresentationRequest.objects.filter(region=region, status="new").count() >= 2
        assert all(case.director in region.directors.all() for case in cases.select_related("director"))
        overdue = [d for case in cases.filter(status="open") for d in case.deadlines.filter(status="open") if d.due < TODAY]
        assert overdue, f"region {region.number} has no overdue deadline"
        steps = Counter(cases.filter(status="open").values_list("current_step__order", flat=True))
        assert len(steps) >= 3  # open at several levels
    assert RepresentationRequest.objects.filter(status="declined").exclude(decline_reason="").count() == 4
    assert RepresentationRequest.objects.filter(status="referred", referral__isnull=False).count() == 4
    assert "Demo caseload ready" in demo[0]


def test_the_persona_member_has_a_case_with_a_shared_update_and_a_private_note(demo):
    case = GrievanceCase.objects.get(grievants__user__email="member@example.org")
    assert case.region.directors.filter(email="director@example.org").exists()
    assert CaseUpdate.objects.filter(case=case).exists() and CaseNote.objects.filter(case=case).exists()
    assert case.deadlines.exists()


def test_loading_again_adds_nothing(demo, django_capture_on_commit_callbacks):
    before = (GrievanceCase.objects.count(), RepresentationRequest.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        demo_loader(today=TODAY, options={})
    assert (GrievanceCase.objects.count(), RepresentationRequest.objects.count()) == before
