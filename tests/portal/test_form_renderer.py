"""The portal's form renderer builds the common widgets in Python: the markup is the same as Django's templates
give, byte for byte, for tricky widgets and for every field of the portal's own forms, bound and unbound."""

from datetime import date

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from mae_portal.form_renderer import PortalFormRenderer
from members.forms.join import CategoryForm, JoinProfileForm, PlanForm
from members.forms.profile import ProfileForm
from members.forms.roster import RosterFilterForm
from members.forms.staff import RenewalPolicyForm, StaffSearchForm

FAST, TEMPLATES = PortalFormRenderer(), DjangoTemplates()


def both(widget, name, value, attrs=None):
    return (widget.render(name, value, attrs=attrs, renderer=FAST),
            widget.render(name, value, attrs=attrs, renderer=TEMPLATES))


@pytest.mark.parametrize(("widget", "value", "attrs"), [
    (forms.TextInput(attrs={"maxlength": 60, "autocomplete": "given-name", "required": True, "disabled": False}),
     'O"Brien <b>&', {"id": "id_x", "aria-describedby": "id_x_helptext"}),
    (forms.TextInput(), None, None),
    (forms.EmailInput(), "", {"data-x": mark_safe("<safe>")}),
    (forms.NumberInput(attrs={"min": 0, "step": "0.01"}), 12.5, None),
    (forms.DateInput(), date(2027, 3, 1), None),
    (forms.PasswordInput(render_value=True), "secret<", None),
    (forms.HiddenInput(), 7, None),
    (forms.CheckboxInput(), True, {"id": "c"}),
    (forms.CheckboxInput(), False, None),
    (forms.Textarea(attrs={"rows": 3}), "line one\n<script>", None),
    (forms.Textarea(), "", None),
    (forms.Select(choices=[("", "---------"), ("a", "A & B"), (3, gettext_lazy("Three")), ("x<", mark_safe("<i>x</i>"))]),
     "a", {"id": "s"}),
    (forms.Select(choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("veg", "Vegetable")]), "pear", None),
    (forms.Select(choices=[(1, 2026), (2, date(2027, 1, 1))]), 1, None),  # labels the engine localizes
    (forms.SelectMultiple(choices=[("a", "A"), ("b", "B")]), ["a", "b"], None),
    (forms.RadioSelect(choices=[("a", "A"), ("b", "B")]), "b", {"id": "r"}),  # not built in Python: templates
])
def test_each_widget_renders_as_the_templates_do(widget, value, attrs):
    fast, templates = both(widget, "field", value, attrs)
    assert fast == templates


FORMS = [
    (JoinProfileForm, {"today": date(2027, 3, 1)}), (ProfileForm, {}), (CategoryForm, {}),
    (RosterFilterForm, {"locals_qs": None}), (StaffSearchForm, {}), (RenewalPolicyForm, {}), (PlanForm, {}),
]


@pytest.mark.parametrize(("form_class", "kwargs"), FORMS)
def test_the_portal_forms_render_as_the_templates_do(world, member, form_class, kwargs):
    from members.models import Local

    if "locals_qs" in kwargs:
        kwargs = {**kwargs, "locals_qs": Local.objects.all()}

    def render(renderer, data=None):
        form = form_class(data, renderer=renderer, **kwargs)
        if "token" in form.initial:
            form.initial["token"] = "the-same-token"  # a new one per form otherwise
        return [str(field) for field in form]

    data = {"q": "x<y", "legal_first_name": '"Tamika"', "status": "lapsed", "email": "a&b@example.org"}
    assert render(FAST) == render(TEMPLATES)
    assert render(FAST, data) == render(TEMPLATES, data)


def test_the_portal_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "mae_portal.form_renderer.PortalFormRenderer"
    assert isinstance(get_default_renderer(), PortalFormRenderer)
