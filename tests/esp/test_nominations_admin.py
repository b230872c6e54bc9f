"""The award's admin pages: cycles with their criteria, nominations read-only in what the services own."""

from django.urls import reverse
from django.utils import timezone

from esp.services import nominations as services
from members import clock
from tests.esp.test_nominations import cycle, nominee  # noqa: F401 (fixtures)


def test_admin_pages_open_for_admins_and_awards_staff(client, cycle, nominee, member, admin_user, awards):  # noqa: F811
    nomination = services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                           today=clock.today())
    for user in (admin_user, awards):
        client.force_login(user)
        assert client.get(reverse("admin:esp_awardcycle_change", args=[cycle.pk])).status_code == 200
        assert client.get(reverse("admin:esp_nomination_changelist")).status_code == 200
        page = client.get(reverse("admin:esp_nomination_change", args=[nomination.pk]))
        assert page.status_code == 200 and "Gloria" in page.content.decode()
    # Nominations start in the portal only (eligibility, consent, audit): no "add" in the admin.
    client.force_login(admin_user)
    assert client.get(reverse("admin:esp_nomination_add")).status_code == 403
