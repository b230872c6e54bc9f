"""Members' own membership pages: join, pay, renew, change or stop their plan; gateway webhooks."""

from django.urls import path

from members import views_membership as views

urlpatterns = [
    path("join/", views.join, name="join"),
    path("join/worksites/", views.join_worksites, name="join_worksites"),
    path("join/category/", views.join_category, name="join_category"),
    path("join/plan/", views.join_plan, name="join_plan"),
    path("join/authorize/", views.join_authorize, name="join_authorize"),
    path("renew/", views.renew, name="renew"),
    path("renew/authorize/", views.join_authorize, {"renewal": True}, name="renew_authorize"),
    path("payments/<int:pk>/", views.payment_return, name="payment_return"),
    path("payments/<int:pk>/status/", views.payment_status, name="payment_status"),
    path("payments/<int:pk>/retry/", views.payment_retry, name="payment_retry"),
    path("payments/<int:pk>/checkout/", views.payment_checkout, name="payment_checkout"),
    path("payments/<int:pk>/keep-account/", views.payment_keep_account, name="payment_keep_account"),
    path("payments/checkout/sandbox/<str:token>/", views.sandbox_checkout, name="sandbox_checkout"),
    path("payments/webhooks/<slug:gateway>/", views.payment_webhook, name="payment_webhook"),
    path("plan/change/", views.plan_change, name="plan_change"),
    path("plan/change/authorize/", views.plan_change_authorize, name="plan_change_authorize"),
    path("plan/automatic-renewal/cancel/", views.plan_cancel_auto_renew, name="plan_cancel_auto_renew"),
    path("plan/drafts/stop/", views.plan_stop_drafts, name="plan_stop_drafts"),
    path("plan/payment-method/", views.plan_payment_method, name="plan_payment_method"),
]
