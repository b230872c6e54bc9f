"""mae_portal.user_versions: every write to what a user's pages show gives them a new version, from the database
itself (QuerySet.update and raw SQL included); what is kept under a version is served until it moves."""

import uuid

import pytest
from django.db import connection
from django.test import Client

from mae_portal import user_versions
from mae_portal.models import StoredDocument, UserVersion
from members.models import (
    District,
    DraftAuthorization,
    Member,
    MemberNote,
    MembershipTerm,
    MemberStanding,
    Payment,
    PaymentPlan,
    RenewalPolicy,
    User,
)
from tests.factories import MemberFactory, UserFactory
from tests.members.test_documents import join, pay_by_card


def version(user_id) -> uuid.UUID:
    return UserVersion.objects.get(user_id=user_id).version


@pytest.fixture
def joined(member, django_capture_on_commit_callbacks):
    """The member persona, joined and paid by card (a term, a payment, a plan and a receipt on the way)."""
    payment = join(member.member)
    with django_capture_on_commit_callbacks(execute=False):
        pay_by_card(payment)
    return member


WRITES = {
    "member saved": lambda m: m.save(),
    "member updated": lambda m: Member.objects.filter(pk=m.pk).update(city="Tupelo"),
    "term updated": lambda m: MembershipTerm.objects.filter(member=m).update(cancel_reason="x"),
    "payment updated": lambda m: Payment.objects.filter(member=m).update(note="seen"),
    "payment deleted": lambda m: Payment.objects.filter(member=m).delete(),
    "plan updated": lambda m: PaymentPlan.objects.filter(member=m).update(auto_renew=False),
    "authorization added": lambda m: DraftAuthorization.objects.create(member=m, typed_name="A B", agreed_text="t",
                                                                       text_version="1", ip_address="127.0.0.1",
                                                                       signed_at=m.created_at),
    "note added": lambda m: MemberNote.objects.create(member=m, author=m.user, text="called"),
    "raw SQL": lambda m: connection.cursor().execute("UPDATE members_member SET city = 'Biloxi' WHERE id = %s", [m.pk]),
    "document owned": lambda m: StoredDocument.objects.create(owner=m.user, kind="receipt", title="R"),
    "account saved": lambda m: User.objects.filter(pk=m.user_id).update(first_name="Ann"),
}


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_each_write_about_a_member_moves_their_version_and_no_one_elses(joined, leader, write):
    mine, theirs, everyone = version(joined.pk), version(leader.pk), version(0)
    WRITES[write](joined.member)
    assert version(joined.pk) != mine
    assert version(leader.pk) == theirs
    assert version(0) == everyone


def test_a_record_linked_to_another_account_moves_both(member, outsider):
    before_member, before_outsider = version(member.pk), version(outsider.pk)
    Member.objects.filter(pk=member.member.pk).update(user=outsider)
    assert version(member.pk) != before_member and version(outsider.pk) != before_outsider


def test_reference_data_and_the_policy_move_everyones_version(world):
    before = version(0)
    District.objects.filter(pk=world.district_a.pk).update(name="Renamed")
    assert version(0) != before
    before = version(0)
    RenewalPolicy.objects.update(grace_period_days=45)
    assert version(0) != before


def test_what_no_page_keeps_moves_nothing(joined):
    before = version(joined.pk)
    MemberStanding.objects.filter(member=joined.member).update(status="lapsed")
    assert version(joined.pk) == before


def test_an_account_has_a_version_from_its_creation_to_its_deletion(db):
    user = UserFactory()
    assert UserVersion.objects.filter(user_id=user.pk).exists()
    pk = user.pk
    user.delete()
    assert not UserVersion.objects.filter(user_id=pk).exists()


def test_a_bulk_write_moves_each_members_version_once(world):
    members = [MemberFactory(user=UserFactory()) for _ in range(3)]
    before = {m.user_id: version(m.user_id) for m in members}
    Member.objects.filter(pk__in=[m.pk for m in members]).update(city="Oxford")
    assert all(version(user_id) != old for user_id, old in before.items())


# --- kept values ---------------------------------------------------------------------------------------------


def test_nothing_is_kept_inside_a_transaction(member):
    calls = []
    for _ in range(2):
        user = User.objects.get(pk=member.pk)
        user_versions.kept(user, "probe", lambda: calls.append(1) or len(calls))
    assert calls == [1, 1]


def fresh(user_id):
    """The user as a new request reads them."""
    return User.objects.get(pk=user_id)


@pytest.mark.django_db(transaction=True)
def test_a_kept_value_is_served_until_the_users_version_moves(world):
    member = MemberFactory(user=UserFactory())
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    assert user_versions.kept(fresh(member.user_id), "probe", build) == 1
    assert user_versions.kept(fresh(member.user_id), "probe", build) == 1  # kept
    Member.objects.filter(pk=member.pk).update(city="Meridian")
    assert user_versions.kept(fresh(member.user_id), "probe", build) == 2
    District.objects.filter(pk=world.district_a.pk).update(county="Lee")  # everyone's version
    assert user_versions.kept(fresh(member.user_id), "probe", build) == 3
    from datetime import date

    assert user_versions.kept(fresh(member.user_id), "probe", build, day=date(2026, 12, 1)) == 4
    assert user_versions.kept(fresh(member.user_id), "probe", build, day=date(2026, 12, 2)) == 5  # per day
    other = MemberFactory(user=UserFactory())
    assert user_versions.kept(fresh(other.user_id), "probe", build) == 6  # per user


@pytest.mark.django_db(transaction=True)
def test_a_kept_value_is_keyed_on_the_users_groups(world):
    from django.contrib.auth.models import Group

    user = UserFactory()
    calls = []
    user_versions.kept(fresh(user.pk), "probe", lambda: calls.append(1))
    user_versions.kept(fresh(user.pk), "probe", lambda: calls.append(1))
    fresh(user.pk).groups.add(Group.objects.create(name="Probe group"))
    user_versions.kept(fresh(user.pk), "probe", lambda: calls.append(1))
    assert len(calls) == 2


@pytest.mark.django_db(transaction=True)
def test_the_kept_dashboard_shows_each_change_on_the_next_visit(world, django_assert_max_num_queries):
    user = UserFactory(email="kept@example.org")
    owner = MemberFactory(user=user, preferred_name="Kit")
    payment = join(owner)
    pay_by_card(payment)
    client = Client()
    client.force_login(user)
    first = client.get("/dashboard/").content.decode()
    assert "Hello, Kit" in first and f"${payment.amount}" in first
    with django_assert_max_num_queries(3):  # the versions; the rest is kept
        again = client.get("/dashboard/").content.decode()
    assert again.split('name="csrfmiddlewaretoken"')[0] == first.split('name="csrfmiddlewaretoken"')[0]
    Payment.objects.filter(pk=payment.pk).update(failure_message="declined", status=Payment.Status.FAILED)
    changed = client.get("/dashboard/").content.decode()
    assert "declined" in changed and "did not go through" in changed
    Member.objects.filter(pk=owner.pk).update(preferred_name="Kitty")
    assert "Hello, Kitty" in client.get("/dashboard/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_kept_markup_carries_each_requests_own_tokens(world):
    import re

    user = UserFactory(email="tokens@example.org")
    owner = MemberFactory(user=user)
    payment = join(owner)
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.FAILED, failure_message="declined")
    pages = []
    for _ in range(2):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        html = client.get("/dashboard/").content.decode()
        assert user_versions.CSRF_STAND_IN not in html and user_versions.FORM_TOKEN_STAND_IN not in html
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        token = re.search(r'name="token" value="([^"]+)"', html).group(1)
        pages.append((client, csrf, token))
    assert pages[0][1] != pages[1][1] and pages[0][2] != pages[1][2]
    client, csrf, token = pages[1]
    response = client.post(f"/members/payments/{payment.pk}/retry/", {"csrfmiddlewaretoken": csrf, "token": token})
    assert response.status_code in (302, 303)  # the kept form's tokens are this session's own
