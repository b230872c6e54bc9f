"""Public pages, mounted at /verify/: the membership-card check a QR code opens. No namespace."""

from django.urls import path

from members import views_public

urlpatterns = [
    path("<uuid:token>/", views_public.verify_card, name="verify_card"),
]
