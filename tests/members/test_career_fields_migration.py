"""members/migrations/0004_career_fields.py moves CareerField from esp to members keeping rows, keys,
the members pointing at them, and the content type with its permissions."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mae_portal.permissions import Groups
from mae_portal.roles import sync_group_permissions
from members.models import CareerField as CurrentCareerField
from members.reference import ensure_career_fields

BEFORE = [("members", "0003_default_categories"), ("esp", "0002_career_fields")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_career_fields_move_to_members_with_their_rows_keys_and_permissions():
    ensure_career_fields(CurrentCareerField)  # an earlier transactional test may have flushed the reference rows
    sync_group_permissions()
    change = Permission.objects.get(content_type__app_label="members", codename="change_careerfield")
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()

    old = _migrate(BEFORE)
    OldCareerField = old.get_model("esp", "CareerField")
    field = OldCareerField.objects.create(slug="school-photographer", name="School photographer", kind="esp",
                                          sort_order=99)
    region = old.get_model("members", "UniServRegion").objects.create(number=42, name="Gulf Coast")
    district = old.get_model("members", "District").objects.create(name="Biloxi Public School District",
                                                                   county="Harrison", region=region)
    member = old.get_model("members", "Member").objects.create(
        legal_first_name="Ada", legal_last_name="Lovelace", employer_district=district, career_field=field)
    assert Permission.objects.get(pk=change.pk).content_type.app_label == "esp"

    new = _migrate(latest)
    CareerField = new.get_model("members", "CareerField")
    assert CareerField._meta.db_table == "members_careerfield"
    moved = CareerField.objects.get(pk=field.pk)
    assert (moved.slug, moved.name, moved.sort_order) == ("school-photographer", "School photographer", 99)
    assert CareerField.objects.count() == 13  # the twelve reference rows of esp 0002, and this one
    assert new.get_model("members", "Member").objects.get(pk=member.pk).career_field_id == field.pk

    # The same permission rows, relabelled: the groups holding them keep them.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    assert Permission.objects.get(pk=change.pk).content_type.app_label == "members"
    sync_group_permissions()
    assert Group.objects.get(name=Groups.AWARDS_STAFF).permissions.filter(pk=change.pk).exists()
    assert not ContentType.objects.filter(app_label="esp", model="careerfield").exists()
