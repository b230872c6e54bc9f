"""Members' own membership pages: join, pay, renew, change or stop their plan; gateway webhooks."""

from django.urls import path

from members.views import webhooks
from members.views.member import join, payments, plans, renew

urlpatterns = [
    path("join/", join.join, name="join"),
    path("join/worksites/", join.join_worksites, name="join_worksites"),
    path("join/category/", join.join_category, name="join_category"),
    path("join/plan/", join.join_plan, name="join_plan"),
    path("join/authorize/", join.join_authorize, name="join_authorize"),
    path("renew/", renew.renew, name="renew"),
    path("renew/authorize/", join.join_authorize, {"renewal": True}, name="renew_authorize"),
    path("payments/<int:pk>/", payments.payment_return, name="payment_return"),
    path("payments/<int:pk>/status/", payments.payment_status, name="payment_status"),
    path("payments/<int:pk>/retry/", payments.payment_retry, name="payment_retry"),
    path("payments/<int:pk>/checkout/", payments.payment_checkout, name="payment_checkout"),
    path("payments/<int:pk>/keep-account/", payments.payment_keep_account, name="payment_keep_account"),
    path("payments/terms/<int:term_id>/pay-remaining/", payments.term_pay_remaining, name="term_pay_remaining"),
    path("payments/checkout/sandbox/<str:token>/", webhooks.sandbox_checkout, name="sandbox_checkout"),
    path("payments/webhooks/<slug:gateway>/", webhooks.payment_webhook, name="payment_webhook"),
    path("plan/change/", plans.plan_change, name="plan_change"),
    path("plan/change/authorize/", plans.plan_change_authorize, name="plan_change_authorize"),
    path("plan/automatic-renewal/cancel/", plans.plan_cancel_auto_renew, name="plan_cancel_auto_renew"),
    path("plan/drafts/stop/", plans.plan_stop_drafts, name="plan_stop_drafts"),
    path("plan/terms/<int:term_id>/choose/", plans.plan_choose, name="plan_choose"),
    path("plan/terms/<int:term_id>/choose/authorize/", plans.plan_choose_authorize, name="plan_choose_authorize"),
    path("plan/payment-method/", plans.plan_payment_method, name="plan_payment_method"),
]
