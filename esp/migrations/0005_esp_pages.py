"""The two ESP pages the site links to ("What MAE does for ESPs", "The ESP Bill of Rights"), with their first text."""

from django.db import migrations

from esp.reference_content import ensure_esp_pages


def load(apps, schema_editor):
    ensure_esp_pages(apps.get_model("esp", "EspPage"))


class Migration(migrations.Migration):
    dependencies = [("esp", "0004_awards")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
