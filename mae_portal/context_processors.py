from django.urls import reverse

from mae_portal.permissions import Groups, group_names, is_membership_staff


def navigation(request):
    """The main menu, by persona: each link appears only for those who may open it."""
    user = request.user
    links = [("Home", reverse("home")), ("ESP careers", reverse("esp:career_fields"))]
    if not user.is_authenticated:
        return {"nav_links": links}
    groups = group_names(user)
    links.insert(1, ("Dashboard", reverse("dashboard")))
    links.append(("My profile", reverse("members:profile")))
    if user.is_superuser or groups & {
        Groups.MEMBERSHIP_STAFF, Groups.LOCAL_LEADERS, Groups.UNISERV_DIRECTORS, Groups.REGION_MANAGERS,
    }:
        links.append(("Roster", reverse("members:roster")))
    staff = is_membership_staff(user)  # the groups were read above and are kept on the user: no query
    if staff:
        links.append(("Members", reverse("members:staff_member_search")))
    if user.is_superuser:
        links.append(("Audit log", reverse("audit_log")))
    if user.is_staff:
        links.append(("Admin", reverse("admin:index")))
    links.append(("Account", reverse("account_email")))
    return {"nav_links": links, "is_membership_staff": staff}
