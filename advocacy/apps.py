from django.apps import AppConfig


class AdvocacyConfig(AppConfig):
    name = "advocacy"
    verbose_name = "Advocacy and cases"

    def ready(self):
        from advocacy import portal

        portal.register()
