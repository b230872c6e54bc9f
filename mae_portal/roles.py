"""What each staff group may do in the Django admin, as the apps registered it. Synced after every migrate."""

from mae_portal import registry
from mae_portal.permissions import Groups


def sync_group_permissions(**kwargs):
    """Create every persona group and set each registered group's model permissions to exactly its grants."""
    from django.contrib.auth.models import Group, Permission

    for group_name in Groups.ALL:
        Group.objects.get_or_create(name=group_name)
    for group_name, models in registry.group_permissions().items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for label, actions in models.items():
            app_label, model = label.split(".")
            wanted += list(
                Permission.objects.filter(
                    content_type__app_label=app_label, content_type__model=model,
                    codename__in=[f"{a}_{model}" for a in actions],
                )
            )
        group.permissions.set(wanted)
