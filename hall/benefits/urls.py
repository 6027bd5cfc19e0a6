"""免申即享, mounted at / by hall.urls: the portal's page under /me/, the SMS link's under
/benefits/, the department's under /desk/."""

from django.urls import path

from hall.benefits import views

app_name = "benefits"

urlpatterns = [
    path("me/benefits/", views.portal_offers, name="portal"),
    path("me/benefits/<int:offer_id>/answer/", views.portal_answer, name="portal_answer"),
    path("benefits/<str:token>/", views.link_offer, name="link"),
    path("desk/benefits/", views.desk_list, name="desk"),
    path("desk/benefits/<slug:code>/", views.desk_benefit, name="desk_benefit"),
]
