"""Admin pages of case types and their ladders, school calendars, issue categories and the advocacy policy.

A case keeps the version of its case type in force when it was filed, so a version that cases were filed
under is frozen: the admin refuses any change to it or its steps and says to add a new version instead
("Copy as a new version" starts one from its steps). Editing a school year or break recomputes the open
deadlines of that district once the change is committed.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from advocacy.models import (
    AdvocacyPolicy,
    CaseEvent,
    CaseType,
    CaseTypeVersion,
    IssueCategory,
    SchoolBreak,
    SchoolYear,
    StepRule,
)
from mae_portal.admin import AuditedAdmin
from mae_portal.audit import audit_record, client_ip

# Region managers keep the case types and the school calendars (mae_portal.registry, from advocacy.portal).
CASE_TYPE_EDITOR_PERMISSIONS = {
    "advocacy.casetype": ["view", "add", "change"],
    "advocacy.casetypeversion": ["view", "add", "change"],
    "advocacy.steprule": ["view", "add", "change", "delete"],
    "advocacy.schoolyear": ["view", "add", "change", "delete"],
    "advocacy.schoolbreak": ["view", "add", "change", "delete"],
    "advocacy.issuecategory": ["view", "add", "change"],
    "advocacy.advocacypolicy": ["view", "change"],
}
ANCHOR_EVENTS = [("", "(counts from an earlier step)")] + [
    (kind.value, kind.label) for kind in (CaseEvent.Kind.INCIDENT, CaseEvent.Kind.NOTICE_RECEIVED,
                                          CaseEvent.Kind.HEARING_SCHEDULED, CaseEvent.Kind.DECISION_RECEIVED)]


def frozen_message(cases: int) -> str:
    return (f"{cases} case{'s were' if cases != 1 else ' was'} filed under this version, and a case keeps the "
            "version it was filed under: it cannot change. Add a new version with the date it takes effect "
            "(the action \"Copy as a new version\" on the list of versions starts one from these steps).")


def _case_count(version) -> int:
    return version.cases.count() if version is not None and version.pk else 0


class FrozenVersionFormSet(BaseInlineFormSet):
    """A version's steps: refused when the version has cases; anchors checked against the same version."""

    def clean(self):
        super().clean()
        cases = _case_count(self.instance)
        if cases and any(form.has_changed() or form in self.deleted_forms for form in self.forms):
            raise ValidationError(frozen_message(cases))
        orders = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form in self.deleted_forms or not form.cleaned_data:
                continue
            orders[form.cleaned_data.get("order")] = form
        for order, form in orders.items():
            anchor = form.cleaned_data.get("anchor_step")
            if anchor is None:
                continue
            if anchor.version_id != self.instance.pk:
                form.add_error("anchor_step", "Choose a step of this same version.")
            elif order is not None and anchor.order >= order:
                form.add_error("anchor_step", "A step counts from an earlier step (a lower order).")


class StepRuleForm(forms.ModelForm):
    anchor_event = forms.ChoiceField(choices=ANCHOR_EVENTS, required=False, label="Counts from the event")

    class Meta:
        model = StepRule
        fields = ["order", "name", "party", "days", "unit", "direction", "anchor_event", "anchor_step",
                  "consequence", "citation"]
        widgets = {"consequence": forms.Textarea(attrs={"rows": 2, "cols": 30})}
        labels = {"anchor_step": "or from the step done"}

    def clean(self):
        data = super().clean()
        event, step = data.get("anchor_event"), data.get("anchor_step")
        if bool(event) == bool(step):
            raise ValidationError("Choose what the step counts from: an event, or an earlier step (not both).")
        if data.get("direction") == StepRule.Direction.BEFORE and event != CaseEvent.Kind.HEARING_SCHEDULED:
            self.add_error("direction", "Only a scheduled hearing is counted back from.")
        return data


class StepRuleInline(admin.TabularInline):
    model = StepRule
    form = StepRuleForm
    formset = FrozenVersionFormSet
    fk_name = "version"
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "anchor_step":
            version_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = StepRule.objects.filter(version_id=version_id) if version_id else StepRule.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CaseTypeVersionForm(forms.ModelForm):
    class Meta:
        model = CaseTypeVersion
        fields = ["case_type", "number", "effective_from", "citation", "notes"]

    def clean(self):
        data = super().clean()
        cases = _case_count(self.instance)
        if cases and self.has_changed():
            raise ValidationError(frozen_message(cases))
        return data


class VersionInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.forms:
            cases = _case_count(form.instance)
            if cases and (form.has_changed() or form in self.deleted_forms):
                raise ValidationError(f"Version {form.instance.number}: {frozen_message(cases)}")


class CaseTypeVersionInline(admin.TabularInline):
    model = CaseTypeVersion
    formset = VersionInlineFormSet
    fields = ["number", "effective_from", "citation"]
    extra = 0
    show_change_link = True  # the steps are edited on the version's own page


@admin.register(CaseType)
class CaseTypeAdmin(AuditedAdmin):
    list_display = ["name", "kind", "covers", "district", "active"]
    list_filter = ["kind", "covers", "active"]
    search_fields = ["name", "district__name"]
    list_select_related = ["district"]
    autocomplete_fields = ["district"]
    inlines = [CaseTypeVersionInline]


@admin.register(CaseTypeVersion)
class CaseTypeVersionAdmin(AuditedAdmin):
    form = CaseTypeVersionForm
    list_display = ["case_type", "number", "effective_from", "citation", "case_count"]
    list_filter = ["case_type"]
    list_select_related = ["case_type"]
    inlines = [StepRuleInline]
    actions = ["copy_as_new_version"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_cases=Count("cases"))

    @admin.display(description="cases filed under it", ordering="_cases")
    def case_count(self, obj):
        return obj._cases

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _case_count(obj):
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self.get_object(request, object_id)
        cases = _case_count(version)
        if cases and request.method == "GET":
            messages.warning(request, frozen_message(cases))
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Copy as a new version (its steps, in force from tomorrow or later)")
    def copy_as_new_version(self, request, queryset):
        for version in queryset.select_related("case_type"):
            copy = copy_version(version=version, actor=request.user, ip=client_ip(request),
                                today=timezone.localdate())
            self.message_user(request, f"{copy} created: set its date and edit its steps.", messages.SUCCESS)


@transaction.atomic
def copy_version(*, version, actor, today, ip=None):
    """A new version of the same case type with `version`'s steps, numbered next and in force from the day
    after the latest version's date or tomorrow, whichever is later (staff then adjust it)."""
    latest = version.case_type.versions.aggregate(number=Max("number"), day=Max("effective_from"))
    start = max(today + timedelta(days=1), latest["day"] + timedelta(days=1))
    copy = CaseTypeVersion.objects.create(case_type=version.case_type, number=latest["number"] + 1,
                                          effective_from=start, citation=version.citation,
                                          notes=f"Copied from version {version.number}.")
    copies = {}
    for step in version.steps.order_by("order"):
        copies[step.pk] = StepRule.objects.create(
            version=copy, order=step.order, name=step.name, party=step.party, days=step.days, unit=step.unit,
            direction=step.direction, anchor_event=step.anchor_event,
            anchor_step=copies.get(step.anchor_step_id), consequence=step.consequence, citation=step.citation)
    audit_record(actor=actor, action="admin.added", obj=copy, ip=ip, changes={"copied_from": version.pk})
    return copy


class SchoolCalendarAdmin(AuditedAdmin):
    """School years and breaks: saving or deleting one recomputes the district's open deadlines."""

    list_select_related = ["district"]
    list_filter = ["district__region", "district"]
    search_fields = ["district__name"]
    autocomplete_fields = ["district"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _recompute_on_commit([obj.district_id, form.initial.get("district") if change else None])

    def delete_model(self, request, obj):
        district_id = obj.district_id
        super().delete_model(request, obj)
        _recompute_on_commit([district_id])

    def delete_queryset(self, request, queryset):
        district_ids = list(queryset.values_list("district_id", flat=True))
        super().delete_queryset(request, queryset)
        _recompute_on_commit(district_ids)


def _recompute_on_commit(district_ids):
    from advocacy.services.deadlines import deadlines_recompute

    ids = sorted({pk for pk in district_ids if pk is not None})
    transaction.on_commit(lambda: deadlines_recompute(district_ids=ids))


@admin.register(SchoolYear)
class SchoolYearAdmin(SchoolCalendarAdmin):
    list_display = ["district", "first_day", "last_day"]


@admin.register(SchoolBreak)
class SchoolBreakAdmin(SchoolCalendarAdmin):
    list_display = ["district", "reason", "first_day", "last_day"]
    search_fields = ["district__name", "reason"]


@admin.register(IssueCategory)
class IssueCategoryAdmin(AuditedAdmin):
    list_display = ["name", "sort_order"]
    search_fields = ["name"]


@admin.register(AdvocacyPolicy)
class AdvocacyPolicyAdmin(AuditedAdmin):
    list_display = ["__str__", "free_consultations_per_year", "alert_days"]

    def has_add_permission(self, request):
        return not AdvocacyPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
