"""The form renderer: Django's own widget templates, with the common widgets written in Python.

A page renders each widget through a template (input.html including attrs.html; a select includes
select_option.html and attrs.html once per option): the join form spent most of its time there. For the
templates below, PortalFormRenderer builds the same markup in Python, byte for byte (tests/portal/
test_form_renderer.py renders every widget both ways); any other widget template, or a widget whose option
uses another template, goes through Django's templates as before. Settings: FORM_RENDERER.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape

WIDGETS = "django/forms/widgets/"
# Templates that only include input.html.
INPUT_TEMPLATES = {f"{WIDGETS}{name}.html" for name in (
    "input", "text", "email", "number", "password", "hidden", "checkbox", "date", "datetime", "time", "url",
    "tel", "search", "color",
)}
OPTION_TEMPLATE = f"{WIDGETS}select_option.html"


def _attrs(attrs: dict) -> str:
    # attrs.html: {% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}
    # {% if value is not True %}="{{ value|stringformat:'s' }}"{% endif %}{% endif %}{% endfor %}
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{_string(value)}"')
    return "".join(parts)


def _string(value) -> str:
    """{{ value|stringformat:'s' }}: str() of it (a tuple as a whole), escaped unless it is safe already."""
    return conditional_escape(value if hasattr(value, "__html__") else str(value))


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_string(widget["value"])}"'
    return f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"{value}' \
           f'{_attrs(widget["attrs"])}>'


def _label(label) -> str | None:
    """{{ widget.label }}: a string as it is, escaped; anything else (a number, a date) is localized by the
    template engine, so it is left to the templates (None)."""
    if isinstance(label, Promise):  # a lazy translation: the engine makes it a string
        label = str(label)
    return conditional_escape(label) if isinstance(label, str) else None


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            if not isinstance(group_name, str):
                return None
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            label = _label(option["label"])
            if option["template_name"] != OPTION_TEMPLATE or label is None:
                return None
            # select_option.html ends with a newline, which the include keeps.
            parts.append(f'\n  <option value="{_string(option["value"])}"{_attrs(option["attrs"])}>{label}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict) -> str | None:
    value = widget["value"]
    if value and not isinstance(value, str):
        return None
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n' \
           f'{conditional_escape(value) if value else ""}</textarea>'


FAST = {**dict.fromkeys(INPUT_TEMPLATES, _input), f"{WIDGETS}select.html": _select,
        f"{WIDGETS}textarea.html": _textarea}


class PortalFormRenderer(DjangoTemplates):
    """Django's renderer strips what a template gives; the Python-built markup has nothing to strip."""

    def render(self, template_name, context, request=None):
        fast = FAST.get(template_name)
        if fast is not None and set(context) == {"widget"}:
            html = fast(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)
