"""Career fields, ESP pages and spotlight stories (public and staff), award cycles (staff) and the public award
page. The nominate helper's /esp/award/<year>/nominate/... lives in urls_nominations.py."""

from django.urls import path

from esp import views
from esp import views_content_staff as staff
from esp import views_cycles as cycles

urlpatterns = [
    path("", views.esp_home, name="home"),
    path("bill-of-rights/", views.bill_of_rights, name="bill_of_rights"),
    path("careers/", views.career_fields, name="career_fields"),
    path("careers/<slug:slug>/", views.career_field, name="career_field"),
    path("stories/", views.stories, name="stories"),
    path("stories/<slug:slug>/", views.story_detail, name="story"),
    path("stories/<slug:slug>/photo/", views.story_photo, name="story_photo"),
    path("award/", views.award, name="award"),
    path("award/<int:year>/", views.award_year, name="award_year"),
    # Awards staff: the ESP pages and the stories.
    path("staff/pages/", staff.pages, name="staff_pages"),
    path("staff/pages/<slug:slug>/", staff.page_edit, name="staff_page_edit"),
    path("staff/stories/", staff.story_list, name="staff_stories"),
    path("staff/stories/new/", staff.story_find_member, name="staff_story_find_member"),
    path("staff/stories/new/<int:member_number>/", staff.story_new, name="staff_story_new"),
    path("staff/stories/<int:pk>/", staff.story_edit, name="staff_story_edit"),
    path("staff/stories/<int:pk>/preview/", staff.story_preview, name="staff_story_preview"),
    path("staff/stories/<int:pk>/publish/", staff.story_publish_view, name="staff_story_publish"),
    path("staff/stories/<int:pk>/unpublish/", staff.story_unpublish_view, name="staff_story_unpublish"),
    # Awards staff: the cycles.
    path("awards/staff/cycles/", cycles.cycle_list, name="staff_cycles"),
    path("awards/staff/cycles/new/", cycles.cycle_new, name="staff_cycle_new"),
    path("awards/staff/cycles/<int:year>/", cycles.cycle_edit, name="staff_cycle"),
    path("awards/staff/cycles/<int:year>/phase/", cycles.cycle_phase, name="staff_cycle_phase"),
]
