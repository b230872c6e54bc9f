"""Audit entries: registered action names, subjects derived from the row, a record's trail in one query,
the changes shown as sentences, and the migration that gave old entries their subject."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.migrations.executor import MigrationExecutor
from django.template import Context, Template

from mae_portal.audit import (
    audit_action_label,
    audit_record,
    audit_subject_of,
    audit_trail_for,
    model_update,
    register_audit_actions,
    registered_audit_actions,
)
from mae_portal.models import AuditLog
from members.models import Member, MemberNote, MembershipCategory, MembershipTerm
from tests.factories import MemberFactory


@pytest.fixture
def record(world, staff):
    member = MemberFactory(employer_district=world.district_a, local=world.local_a)
    category = MembershipCategory.objects.get(code="esp-full-time")
    term = MembershipTerm.objects.create(
        member=member, category=category, membership_year=2026, period=DateRange(date(2026, 9, 1), date(2027, 9, 1)),
        local_share=Decimal("15.00"), state_share=Decimal("190.00"), national_share=Decimal("129.00"),
        amount_due=Decimal("334.00"))
    note = MemberNote.objects.create(member=member, author=staff, text="Called about dues")
    return member, term, note


def _subject(entry):
    return entry.subject_type.model_class(), entry.subject_id


def test_an_unregistered_action_is_refused_and_nothing_is_stored(db):
    with pytest.raises(ValueError, match="unregistered audit action 'member.profile_updatd'"):
        audit_record(actor=None, action="member.profile_updatd")
    assert not AuditLog.objects.exists()


def test_an_action_cannot_be_registered_twice_with_another_label():
    register_audit_actions({"member.profile_updated": "Profile updated"})  # the same label again: fine
    with pytest.raises(ValueError, match="already registered"):
        register_audit_actions({"member.profile_updated": "Something else"})


def test_every_action_members_records_is_registered_with_a_label():
    """Every action= literal in members/ and mae_portal/ is registered: a missed one would fail at run time."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    used = set()
    for folder in ("members", "mae_portal"):
        for path in (root / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            used |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text()))
            used |= set(re.findall(r'"(membership\.renewal_started|membership\.joined)"', path.read_text()))
    used |= {"admin.added", "admin.changed", "admin.deleted"}  # built with an f-string in mae_portal/admin.py
    assert used, "no action found: the pattern is wrong"
    assert used - set(registered_audit_actions()) == set()
    assert audit_action_label("payment.refunded") == "Payment refunded"


def test_the_subject_is_the_member_for_membership_rows_and_the_row_itself_otherwise(record, staff):
    member, term, note = record
    assert audit_subject_of(term) == member and audit_subject_of(note) == member
    assert audit_subject_of(member) == member
    category = term.category
    assert audit_subject_of(category) == category  # no resolver: its own subject

    entry = audit_record(actor=staff, action="term.cancelled", obj=term, changes={"reason": "moved"})
    assert _subject(entry) == (Member, str(member.pk))
    assert (entry.content_type.model_class(), entry.object_id) == (MembershipTerm, str(term.pk))
    entry = audit_record(actor=staff, action="category.updated", obj=category)
    assert _subject(entry) == (MembershipCategory, str(category.pk))
    entry = audit_record(actor=staff, action="members.roster_exported", changes={"rows": 3})
    assert entry.subject_type is None and entry.subject_id == ""
    # A subject given explicitly wins over the registered one.
    entry = audit_record(actor=staff, action="category.updated", obj=category, subject=member)
    assert _subject(entry) == (Member, str(member.pk))


def test_model_update_passes_its_subject_through(record, staff):
    member, term, _ = record
    _, changes = model_update(instance=term.category, data={"name": "ESP full time"}, actor=staff,
                              action="category.updated", subject=member)
    assert changes
    assert _subject(AuditLog.objects.get(action="category.updated")) == (Member, str(member.pk))
    model_update(instance=member, data={"mobile_phone": "6625550100"}, actor=staff, action="member.profile_updated")
    assert _subject(AuditLog.objects.get(action="member.profile_updated")) == (Member, str(member.pk))


def test_a_members_trail_is_one_query_whatever_rows_it_spans(record, staff, world, django_assert_num_queries):
    member, term, note = record
    other = MemberFactory(employer_district=world.district_b, local=world.local_b)
    audit_record(actor=staff, action="member.profile_updated", obj=other)
    for _ in range(3):
        audit_record(actor=staff, action="member.profile_updated", obj=member, changes={"state": ["ZZ", "MS"]})
        audit_record(actor=staff, action="term.reinstated", obj=term)
        audit_record(actor=staff, action="member.note_added", obj=note)
    ContentType.objects.get_for_model(Member)  # the content-type cache is warm in a running portal
    with django_assert_num_queries(1):
        trail = list(audit_trail_for(member))
        assert [e.actor.email for e in trail] and [e.content_type.model for e in trail]
    assert len(trail) == 9 and all(_subject(e) == (Member, str(member.pk)) for e in trail)
    with django_assert_num_queries(1):
        assert len(list(audit_trail_for(member, limit=2))) == 2


def test_changes_are_shown_as_sentences():
    template = Template("{% load audit_tags %}{{ action|audit_action }} | {{ changes|audit_changes }}")
    html = template.render(Context({
        "action": "member.profile_updated",
        "changes": {"state": ["ZZ", "MS"], "mobile_phone": ["", "6625550100"], "reason": "moved",
                    "form_token": "abc", "is_active": [True, False]},
    }))
    assert html == ("Profile updated | State: ZZ → MS; Mobile phone: (blank) → 6625550100; Reason: moved; "
                    "Is active: yes → no")
    assert Template("{% load audit_tags %}{{ a|audit_action }}").render(Context({"a": "old.gone"})) == "old.gone"


def test_the_audit_page_shows_labels_and_readable_changes(client, admin_user, record):
    member, term, _ = record
    audit_record(actor=admin_user, action="member.profile_updated", obj=member, changes={"state": ["ZZ", "MS"]})
    client.force_login(admin_user)
    html = client.get("/audit/").content.decode()
    assert "Profile updated" in html and "State: ZZ → MS" in html and "[&#x27;ZZ&#x27;" not in html


# --- The backfill migration -----------------------------------------------------------------------------

BEFORE = [("mae_portal", "0005_email_attachment"), ("members", "0003_default_categories")]
AFTER = [("members", "0007_audit_subject_backfill")]


@pytest.mark.django_db(transaction=True)
def test_backfill_gives_old_entries_their_subject_and_keeps_the_table_append_only(record, staff):
    member, term, note = record
    category = term.category
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    # Back to before the subject columns: mae_portal 0010's parents (the lead may rechain it).
    parents = [key for key in executor.loader.graph.node_map[("mae_portal", "0010_audit_subject")].parents
               if key[0] == "mae_portal"]
    executor.migrate(parents)
    try:
        types = {m: ContentType.objects.get_for_model(m).pk for m in (Member, MembershipTerm, MemberNote,
                                                                       MembershipCategory)}
        old_rows = [
            ("member.profile_updated", types[Member], member.pk),
            ("term.cancelled", types[MembershipTerm], term.pk),
            ("member.note_added", types[MemberNote], note.pk),
            ("category.updated", types[MembershipCategory], category.pk),
            ("members.roster_exported", None, ""),
        ]
        with connection.cursor() as cursor:
            for action, type_id, object_id in old_rows:
                cursor.execute(
                    "INSERT INTO mae_portal_auditlog (action, content_type_id, object_id, object_repr, changes, "
                    "created_at) VALUES (%s, %s, %s, '', '{}', now())", [action, type_id, str(object_id)])
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)

        with connection.cursor() as cursor:
            cursor.execute("SELECT action, subject_type_id, subject_id FROM mae_portal_auditlog ORDER BY id")
            subjects = {action: (type_id, subject_id) for action, type_id, subject_id in cursor.fetchall()}
        assert subjects == {
            "member.profile_updated": (types[Member], str(member.pk)),
            "term.cancelled": (types[Member], str(member.pk)),
            "member.note_added": (types[Member], str(member.pk)),
            "category.updated": (types[MembershipCategory], str(category.pk)),
            "members.roster_exported": (None, ""),
        }
        # The trigger is back on: the database still refuses to change an entry.
        for sql in ("UPDATE mae_portal_auditlog SET action = 'forged'", "DELETE FROM mae_portal_auditlog"):
            with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(leaves)
    assert len(audit_trail_for(member)) == 3
