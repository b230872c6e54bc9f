from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Mentoring and professional learning"

    def ready(self):
        from mae_portal import registry

        registry.register_panel("home.cards", "mentoring", template="mentoring/home/_cards.html", order=40)
