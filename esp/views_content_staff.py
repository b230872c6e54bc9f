"""Awards staff's pages for what the public reads: the ESP pages and the spotlight stories."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from esp.forms_content import EspPageForm, MemberFindForm, StoryForm
from esp.models import EspPage, SpotlightStory
from esp.selectors.content import stories_for_staff
from esp.services.content import StoryError, esp_page_update, story_create, story_publish, story_unpublish, story_update
from mae_portal.permissions import is_awards_staff
from mae_portal.uploads import UploadRefused
from members import clock
from members.models import Member, RenewalPolicy
from members.selectors.search import member_search_page


def awards_staff_required(view):
    """Awards staff and admins; anyone else signed in gets 403 (MFA is required by the middleware)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_awards_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# --- ESP pages -------------------------------------------------------------------------------------------


@require_GET
@awards_staff_required
def pages(request):
    return render(request, "esp/staff/pages.html", {"pages": EspPage.objects.select_related("updated_by")})


@awards_staff_required
def page_edit(request, slug):
    page = get_object_or_404(EspPage, slug=slug)
    form = EspPageForm(request.POST or None, instance=EspPage.objects.get(pk=page.pk))
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = form.cleaned_data
        else:
            changes = esp_page_update(page=page, data=form.cleaned_data, actor=request.user)
            messages.success(request, f"“{form.cleaned_data['title']}” is saved." if changes else "Nothing changed.")
            return redirect("esp:staff_pages")
    return render(request, "esp/staff/page_edit.html", {"page": page, "form": form, "preview": preview})


# --- Spotlight stories -----------------------------------------------------------------------------------


@require_GET
@awards_staff_required
def story_list(request):
    page = Paginator(stories_for_staff(), 50).get_page(request.GET.get("page"))
    return render(request, "esp/staff/stories.html", {"page": page})


@require_GET
@awards_staff_required
def story_find_member(request):
    """Step one of a new story: find the member it features."""
    form = MemberFindForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        results = member_search_page(page_number=1, per_page=20, query=form.cleaned_data["q"], today=clock.today(),
                                     grace_days=RenewalPolicy.current().grace_period_days)
    return render(request, "esp/staff/story_find_member.html", {"form": form, "results": results})


def _story_form_page(request, form, *, story=None, member):
    return render(request, "esp/staff/story_edit.html", {"form": form, "story": story, "member": member})


def _apply_refusal(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


@awards_staff_required
def story_new(request, member_number):
    member = get_object_or_404(Member.objects.select_related("career_field"), member_number=member_number)
    initial = {"career_field": member.career_field_id} if member.career_field and member.career_field.is_esp else {}
    form = StoryForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("title", "career_field", "summary", "body", "consent_given_on",
                                                  "consent_note", "photo_alt")}
        try:
            story = story_create(member=member, photo=form.cleaned_data.get("photo"), actor=request.user, **data)
        except UploadRefused as refusal:
            form.add_error("photo", refusal.message)
        except StoryError as error:
            _apply_refusal(form, error)
        else:
            messages.success(request, "The story is saved as a draft. Check it here, then publish it.")
            return redirect("esp:staff_story_preview", pk=story.pk)
    return _story_form_page(request, form, member=member)


def _story(pk):
    return get_object_or_404(SpotlightStory.objects.select_related("member", "career_field", "photo",
                                                                   "consent_recorded_by"), pk=pk)


@awards_staff_required
def story_edit(request, pk):
    story = _story(pk)
    form = StoryForm(request.POST or None, request.FILES or None, instance=_story(pk))
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            story_update(story=story, data=data, photo=form.cleaned_data.get("photo"),
                         remove_photo=form.cleaned_data.get("remove_photo", False), actor=request.user)
        except UploadRefused as refusal:
            form.add_error("photo", refusal.message)
        except StoryError as error:
            _apply_refusal(form, error)
        else:
            messages.success(request, "The story is saved.")
            return redirect("esp:staff_story_preview", pk=story.pk)
    return _story_form_page(request, form, story=story, member=story.member)


@require_GET
@awards_staff_required
def story_preview(request, pk):
    return render(request, "esp/staff/story_preview.html", {"story": _story(pk)})


def _current_data(story):
    """The story's form, filled as saved (a bound form, so that a refusal can sit next to its field)."""
    unbound = StoryForm(instance=story)
    return {name: unbound[name].value() for name in StoryForm.Meta.fields if unbound[name].value() is not None}


@require_POST
@awards_staff_required
def story_publish_view(request, pk):
    story = _story(pk)
    try:
        story_publish(story=story, actor=request.user)
    except StoryError as error:
        form = StoryForm(_current_data(story), instance=_story(pk))
        form.is_valid()
        form.add_error(error.field, f"Not published: {error.message}")
        return _story_form_page(request, form, story=story, member=story.member)
    messages.success(request, f"“{story.title}” is published.")
    return redirect("esp:staff_story_preview", pk=story.pk)


@require_POST
@awards_staff_required
def story_unpublish_view(request, pk):
    story = story_unpublish(story=_story(pk), actor=request.user)
    messages.success(request, f"“{story.title}” is no longer public.")
    return redirect("esp:staff_story_preview", pk=story.pk)
