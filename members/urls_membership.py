"""Filled by the membership issue's pages."""

urlpatterns: list = []
