from django.db import migrations

from mae_portal.user_versions import everyone_version_triggers, user_version_triggers

# What a member's own pages show (mae_portal.user_versions): their record and the rows about them move their
# account's version (the old and the new account's, when a record is linked to another); reference data and the
# renewal policy move everyone's.
OF_MEMBERS = "SELECT m.user_id FROM members_member AS m WHERE m.id IN (SELECT member_id FROM changed)"
TRIGGERS = [
    *(user_version_triggers(table, "SELECT user_id FROM changed") for table in (
        "members_member", "members_localofficer")),
    *(user_version_triggers(table, OF_MEMBERS) for table in (
        "members_membershipterm", "members_payment", "members_paymentplan", "members_draftauthorization",
        "members_membernote")),
    *(everyone_version_triggers(table) for table in (
        "members_renewalpolicy", "members_membershipcategory", "members_duesrate", "members_district",
        "members_districtclosure", "members_worksite", "members_local", "members_careerfield",
        "members_uniservregion")),
]


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0011_search_version'),
        ('mae_portal', '0011_user_versions'),
    ]

    operations = [migrations.RunSQL(forward, backward) for forward, backward in TRIGGERS]
