from django.apps import AppConfig


class EspConfig(AppConfig):
    name = "esp"
    verbose_name = "ESP careers and awards"

    def ready(self):
        from esp import portal

        portal.register()
