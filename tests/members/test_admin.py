"""The Django admin's member pages, as staff and admins use them."""

import pytest

from members.models import Member


@pytest.mark.parametrize("persona", ["staff", "admin_user"])
def test_add_member_page_opens_and_saves(request, client, world, persona):
    client.force_login(request.getfixturevalue(persona))

    page = client.get("/admin/members/member/add/")
    assert page.status_code == 200
    assert b"legal_first_name" in page.content

    response = client.post("/admin/members/member/add/", {
        "legal_first_name": "Odessa", "legal_last_name": "Tillman", "state": "MS", "zip_code": "38801",
        "employment_basis": "full_time", "contact_by_email": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    member = Member.objects.get(legal_last_name="Tillman")
    assert member.member_number > 0
    assert client.get(f"/admin/members/member/{member.pk}/change/").status_code == 200
