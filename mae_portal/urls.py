from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from mae_portal import views

# The admin signs in through allauth: same rate limits, same MFA, same lockouts.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "MAE Member Portal administration"
admin.site.site_title = "MAE admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("documents/panel/", views.documents_panel, name="documents_panel"),
    path("documents/<uuid:pk>/", views.document_download, name="document_download"),
    path("audit/", views.audit_log, name="audit_log"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("members/", include("members.urls")),
    path("esp/", include("esp.urls")),
    path("advocacy/", include("advocacy.urls")),
    path("verify/", include("members.urls_public")),  # public card verification (QR code)
    path("admin/", admin.site.urls),
]
