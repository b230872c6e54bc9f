"""What each staff group may do in the Django admin. Synced after every migrate."""

from mae_portal.permissions import Groups

GROUP_MODEL_PERMISSIONS = {
    Groups.MEMBERSHIP_STAFF: {
        "members.member": ["view", "add", "change"],
        "members.district": ["view", "add", "change"],
        "members.worksite": ["view", "add", "change"],
        "members.local": ["view", "add", "change"],
        "members.localofficer": ["view", "add", "change", "delete"],
        "members.uniservregion": ["view", "add", "change"],
        "esp.careerfield": ["view", "change"],
        "members.membershipcategory": ["view", "add", "change"],
        "members.duesrate": ["view", "add", "change"],
        "members.renewalpolicy": ["view", "change"],
        "members.renewalnoticerule": ["view", "add", "change"],
        "members.membershipterm": ["view"],
        "members.payment": ["view"],
        "members.paymentplan": ["view"],
        "members.draftauthorization": ["view"],
        "members.gatewayevent": ["view"],
        "members.renewalnotice": ["view"],
        "members.membernote": ["view"],
    },
    Groups.REGION_MANAGERS: {"members.uniservregion": ["view", "change"], "members.district": ["view"]},
    Groups.AWARDS_STAFF: {"esp.careerfield": ["view", "change"]},
}


def sync_group_permissions(**kwargs):
    from django.contrib.auth.models import Group, Permission

    for group_name in Groups.ALL:
        Group.objects.get_or_create(name=group_name)
    for group_name, models in GROUP_MODEL_PERMISSIONS.items():
        group = Group.objects.get(name=group_name)
        wanted = []
        for label, actions in models.items():
            app_label, model = label.split(".")
            wanted += list(
                Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=[f"{a}_{model}" for a in actions]
                )
            )
        group.permissions.set(wanted)
