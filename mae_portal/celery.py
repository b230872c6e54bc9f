import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mae_portal.settings")

app = Celery("mae_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def install_periodic_jobs(sender=None, **kwargs):
    """Add the apps' registered periodic jobs to beat's schedule.

    `celery beat` (and `worker -B`) read `app.conf.beat_schedule` once, when the scheduler is set up, which
    is after the loader's `import_modules` signal. Celery's Django fix-up answers that signal first with
    django.setup() (its receiver was connected when the app was created, before this one), so every app's
    ready() has registered its jobs by the time this runs.
    """
    from mae_portal import registry

    app.conf.beat_schedule = {**app.conf.beat_schedule, **registry.beat_schedule()}


signals.import_modules.connect(install_periodic_jobs, sender=app, weak=False, dispatch_uid="mae_periodic_jobs")
