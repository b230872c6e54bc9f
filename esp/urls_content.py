from django.urls import path

from esp import views

urlpatterns = [
    path("careers/", views.career_fields, name="career_fields"),
    path("careers/<slug:slug>/", views.career_field, name="career_field"),
]
