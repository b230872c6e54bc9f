"""/esp/...: each area of the app keeps its own URL module; all share the "esp" namespace."""

from django.urls import include, path

app_name = "esp"

urlpatterns = [
    path("", include("esp.urls_content")),  # career fields, ESP pages, spotlight stories, the public award page
    path("", include("esp.urls_nominations")),  # nominating, consent, statements, letters, endorsement, screening
    path("", include("esp.urls_review")),  # conflicts, assignment, review and scoring, results, certificates
]
