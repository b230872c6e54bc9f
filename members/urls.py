from django.urls import include, path

from members import views

app_name = "members"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/record.pdf", views.request_record_pdf, name="request_record_pdf"),
    path("roster/", views.roster, name="roster"),
    path("roster/export.csv", views.roster_export, name="roster_export"),
    path("<int:member_number>/", views.member_detail, name="member_detail"),
    path("", include("members.urls_membership")),  # join, pay, renew, plans, gateway webhooks
    path("staff/", include("members.urls_staff")),  # membership staff pages
]
