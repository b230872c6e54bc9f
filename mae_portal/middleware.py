import logging
import time

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from mae_portal.adapters import UNREADABLE_PAGE_MESSAGE, MFASecretUnreadable
from mae_portal.permissions import requires_mfa

security_log = logging.getLogger("mae_portal.security")

_SESSION_STARTED = "mae_session_started"
_SESSION_SEEN = "mae_session_seen"


class AbsoluteSessionLifetimeMiddleware:
    """Ends a signed-in session SESSION_ABSOLUTE_SECONDS after it began, however active (ASVS 7.3.2).
    The idle limit is SESSION_COOKIE_AGE, renewed by SessionActivityMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(_SESSION_STARTED)
            now = int(time.time())
            if started is None:
                request.session[_SESSION_STARTED] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, "Your session ended after 12 hours. Please sign in again.")
                return redirect(f"{reverse('account_login')}?next={request.path}")
        return self.get_response(request)


class SessionActivityMiddleware:
    """Keeps a signed-in session alive, and allauth's record of it current, without a write per page view.

    The idle limit is the session's expiry (SESSION_COOKIE_AGE from its last save). Saving the session and
    the user-session row on every request cost two write transactions per page; instead both are touched
    when SESSION_TOUCH_SECONDS have passed since the last touch, so a session idle for SESSION_COOKIE_AGE
    still ends (at most a touch interval early). Replaces allauth's UserSessionsMiddleware, which wrote
    the row on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.session.session_key:
            now = int(timezone.now().timestamp())
            seen = request.session.get(_SESSION_SEEN)
            if seen is None or not 0 <= now - seen < settings.SESSION_TOUCH_SECONDS:
                request.session[_SESSION_SEEN] = now  # modified: SessionMiddleware saves it, renewing its expiry
                from allauth.usersessions import app_settings
                from allauth.usersessions.models import UserSession

                if app_settings.TRACK_ACTIVITY:
                    UserSession.objects.create_from_request(request)
        return self.get_response(request)


class RequireMFAMiddleware:
    """Sends staff personas to set up two-factor authentication before any other page opens."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and requires_mfa(request.user)
        ):
            from allauth.mfa.utils import is_mfa_enabled

            enabled = getattr(request.user, "_mae_mfa_enabled", None)  # mae_portal.signed_in read it already
            if not (is_mfa_enabled(request.user) if enabled is None else enabled):
                messages.warning(
                    request,
                    "Your role gives you access to members' records, so two-factor authentication is required. "
                    "Set it up now to continue.",
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)


class NoStoreForPersonalPagesMiddleware:
    """Pages seen signed in, and the account pages, are never kept by browsers or proxies (ASVS 14.3.2)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated or request.path.startswith("/accounts/"):
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response


class UnreadableMFASecretMiddleware:
    """A page that needed a stored two-factor secret no key in MFA_ENCRYPTION_KEY opens (the key was changed
    without keeping the old one after it) says so, with a 409, instead of failing with a 500: allauth's pages
    decrypt while they build or render (the two-factor overview, recovery codes shown, downloaded or
    regenerated). The code forms show it next to the field instead (mae_portal.mfa_forms)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, MFASecretUnreadable):
            return None
        user = request.user
        security_log.error(
            "%s of user %s could not be shown: a stored two-factor secret opens with no key in MFA_ENCRYPTION_KEY "
            "(was the key changed without keeping the old one after it?)", request.path, user.pk,
        )
        app = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()
        return render(request, "mfa_secret_unreadable.html", {
            "message": UNREADABLE_PAGE_MESSAGE,
            "can_switch_off": app is not None and get_mfa_adapter().can_delete_authenticator(app),
        }, status=409)
