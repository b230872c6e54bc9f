"""Membership staff pages, mounted at /members/staff/ in the `members` namespace."""

from django.urls import path

from members import views_staff as views

urlpatterns = [
    path("members/", views.member_search, name="staff_member_search"),
    path("members/<int:member_number>/", views.member_detail, name="staff_member_detail"),
    path("members/<int:member_number>/notes/", views.member_note_add, name="staff_member_note_add"),
    path("members/<int:member_number>/terms/new/", views.term_create, name="staff_term_create"),
    path("members/<int:member_number>/terms/<int:term_id>/payment/", views.payment_record, name="staff_payment_record"),
    path("members/<int:member_number>/terms/<int:term_id>/adjust/", views.payment_adjust, name="staff_payment_adjust"),
    path("members/<int:member_number>/terms/<int:term_id>/category/", views.term_change_category,
         name="staff_term_category"),
    path("members/<int:member_number>/terms/<int:term_id>/cancel/", views.term_cancel, name="staff_term_cancel"),
    path("members/<int:member_number>/terms/<int:term_id>/reinstate/", views.term_reinstate, name="staff_term_reinstate"),
    path("members/<int:member_number>/payments/<int:payment_id>/refund/", views.payment_refund,
         name="staff_payment_refund"),
    path("categories/", views.categories, name="staff_categories"),
    path("categories/new/", views.category_add, name="staff_category_add"),
    path("categories/<slug:code>/edit/", views.category_edit, name="staff_category_edit"),
    path("categories/<slug:code>/rates/new/", views.rate_add, name="staff_rate_add"),
    path("renewal-policy/", views.renewal_policy_edit, name="staff_renewal_policy"),
    path("notices/new/", views.notice_rule_add, name="staff_notice_rule_add"),
    path("notices/<int:rule_id>/toggle/", views.notice_rule_toggle, name="staff_notice_rule_toggle"),
    path("lookup/", views.member_on_date, name="staff_member_on_date"),
]
