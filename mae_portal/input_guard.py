"""Refuses requests that carry a NUL character, before any view hands it to a query.

PostgreSQL cannot store U+0000 in text nor compare text with it: a NUL that reaches a query is a
500. Django's form fields refuse it (ProhibitNullCharactersValidator), but pages also read the query
string directly and forms look up rows before they validate. One check here covers every input:
the path, the query string and the posted form fields, names and values. The request is refused,
not cleaned: a silently altered value (a password, a check number) is worse than a clear message.
"""

from django.shortcuts import render

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _first_nul(query_dict):
    for name, values in query_dict.lists():
        if "\x00" in name or any("\x00" in value for value in values if isinstance(value, str)):
            return name.replace("\x00", "\N{SYMBOL FOR NULL}")
    return None


class RefuseNulCharactersMiddleware:
    """Answers 400, with the portal's error page naming the field, to any NUL in the path, GET or POST.

    It runs in process_view, after authentication (so the page has the signed-in menu) and after the
    CSRF check; views exempt from CSRF (gateway webhooks) read their raw body and are not parsed here,
    since reading a multipart POST would consume the stream they read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        where = None
        if "\x00" in request.path_info:
            where = "the page address"
        elif (name := _first_nul(request.GET)) is not None:
            where = f"“{name}” in the page address"
        elif (
            request.method == "POST"
            and request.content_type in _FORM_TYPES
            and not getattr(view_func, "csrf_exempt", False)
            and (name := _first_nul(request.POST)) is not None
        ):
            where = f"the field “{name}”"
        if where is None:
            return None
        return render(request, "400.html", {
            "reason": f"What you sent contains a NUL character (an invisible control character) in {where}, "
                      "which the portal cannot accept. It often comes from copying text out of another "
                      "program: go back, type the value again and resend.",
        }, status=400)
