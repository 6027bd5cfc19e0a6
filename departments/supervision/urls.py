"""/supervision/: the dashboard and case pages, and the performance pages in the same namespace."""

from django.urls import path

from departments.performance import views as performance_views
from departments.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.supervision_home, name="home"),
    path("case/", views.case_open, name="case_open"),
    path("case/<str:receipt_no>/", views.case_detail, name="case"),
    path("case/<str:receipt_no>/remind/", views.case_remind_view, name="remind"),
    path("instant/", views.instant_page, name="instant"),
    path("commitments/", views.commitments_page, name="commitments"),
    path(
        "commitments/<int:commitment_id>/verify/",
        views.commitment_verify_view,
        name="commitment_verify",
    ),
    path("instant/<int:approval_id>/review/", views.instant_review_view, name="instant_review"),
    path("performance/", performance_views.performance_page, name="performance"),
    path("serial-vs-parallel/", performance_views.serial_parallel_page, name="serial_parallel"),
    path("export/<slug:table>.<slug:fmt>", performance_views.export, name="export"),
]
