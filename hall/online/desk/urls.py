"""The online-intake desk (网上受理), mounted at /online-desk/ by hall.urls."""

from django.urls import path

from hall.online.desk import views
from hall.online.portal import views as portal_views

app_name = "online_desk"

urlpatterns = [
    path("", views.queue, name="home"),
    path("case/<str:receipt_no>/", views.case, name="case"),
    path("case/<str:receipt_no>/claim/", views.claim, name="claim"),
    # The same access rule as the applicant's link (hall.online_intake.upload_for_user).
    path("files/<int:upload_id>/", portal_views.upload_file, name="upload"),
]
