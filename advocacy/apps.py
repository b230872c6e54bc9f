from django.apps import AppConfig


class AdvocacyConfig(AppConfig):
    name = "advocacy"
    verbose_name = "Advocacy and cases"

    def ready(self):
        from mae_portal import registry

        registry.register_panel("home.cards", "advocacy", template="advocacy/home/_card.html", order=20)
