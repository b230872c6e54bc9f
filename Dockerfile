# Production image: gunicorn serving the portal; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DJANGO_SETTINGS_MODULE=mae_portal.settings

# WeasyPrint needs Pango; fonts-dejavu gives PDFs a full Unicode font.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core libmagic1 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs production settings to load (DEBUG off: every required variable, and the Stripe
# keys of the default gateway); these throwaway values never reach a running container, which gets its
# own from .env. `check` fails the build on a configuration error rather than at the first start.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build DATABASE_URL=postgres://build/build MFA_ENCRYPTION_KEY=build-only \
    STRIPE_SECRET_KEY=build-only STRIPE_WEBHOOK_SECRET=build-only \
    sh -c 'python manage.py collectstatic --noinput && python manage.py check'

RUN useradd --system --uid 1000 mae && mkdir -p /var/lib/mae/media && chown mae /var/lib/mae/media
USER mae
EXPOSE 8000
CMD ["gunicorn", "mae_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
