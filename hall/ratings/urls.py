"""Follow-up of bad ratings for supervisors and the applicant's appeal; included at /ratings/."""

from django.urls import path

from hall.ratings import views

app_name = "ratings"

urlpatterns = [
    path("", views.follow_up_list, name="list"),
    path("<int:pk>/", views.follow_up_detail, name="detail"),
    path("appeal/<str:token>/", views.appeal, name="appeal"),
    path("statistics/", views.statistics, name="statistics"),
]
