"""Public pages, mounted at /verify/: the membership-card check a QR code opens. No namespace."""

from django.urls import path

from members.views import public

urlpatterns = [
    path("<uuid:token>/", public.verify_card, name="verify_card"),
]
