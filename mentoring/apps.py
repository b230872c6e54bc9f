from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Mentoring and professional learning"
    # No home card yet: mentoring, courses and certificates have no pages, and the home page promises
    # only what members can use. Register one from ready() when the first page opens.
