"""Filter fields rendered once: the markup includes/_field.html makes of a form's field, kept per process.

A filter form's selects (the staff search's locals, regions, categories; the roster's locals) are rendered on
every page, and rendering their options through the template engine costs more than reading the page's rows.
The markup of a field depends only on the field's definition, its choices and its value (when it has no errors),
so it is kept under exactly those: a changed, added or removed choice (read afresh by the view on each request)
is another key, rendered at once. Nothing is invalidated, nothing is shared between processes."""

from django.template.loader import get_template
from django.utils.safestring import SafeString

_KEPT: dict = {}
KEPT_AT_MOST = 2048


def _render(bound) -> SafeString:
    return get_template("includes/_field.html").render({"field": bound})


def field_markup(form, name: str) -> SafeString:
    """What `{% include "includes/_field.html" with field=form.<name> %}` writes, kept when the field has no error
    and its value is empty or one of its choices (a value typed by someone else is rendered each time)."""
    bound = form[name]
    value = bound.value()
    if bound.errors or not (value is None or isinstance(value, str)):
        return _render(bound)
    choices = tuple(getattr(bound.field, "choices", ()))
    if value and str(value) not in {str(key) for key, _ in choices}:
        return _render(bound)
    key = (type(form), form.prefix, form.auto_id, name, value, choices)
    markup = _KEPT.get(key)
    if markup is None:
        markup = _render(bound)
        if len(_KEPT) >= KEPT_AT_MOST:
            _KEPT.clear()
        _KEPT[key] = markup
    return markup


def fields_markup(form, names) -> dict[str, SafeString]:
    return {name: field_markup(form, name) for name in names}
