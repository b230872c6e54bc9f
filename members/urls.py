from django.urls import include, path

from members.views import roster
from members.views.member import profile

app_name = "members"
urlpatterns = [
    path("profile/", profile.profile, name="profile"),
    path("profile/record.pdf", profile.request_record_pdf, name="request_record_pdf"),
    path("roster/", roster.roster, name="roster"),
    path("roster/export.csv", roster.roster_export, name="roster_export"),
    path("<int:member_number>/", roster.member_detail, name="member_detail"),
    path("", include("members.urls_membership")),  # join, pay, renew, plans, gateway webhooks
    path("staff/", include("members.urls_staff")),  # membership staff pages
]
