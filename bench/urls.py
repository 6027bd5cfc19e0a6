"""The hall's URLs plus the bench's two baseline pages: the base layout with an empty content
block, rendered by the same middleware and template engine. ``/bench/baseline/`` is anonymous
(no queries; issue 13's baseline); ``/bench/signed-in/`` is the same page behind the sign-in, so
it pays what every staff page pays before its own work (the session, the user, the role's
navigation). Staff pages are reported as a ratio to the signed-in one (issue 27): the figures say
what a page costs beyond the framework and the sign-in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import include, path


def baseline(request):
    return render(request, "bench/baseline.html")


@login_required
def signed_in(request):
    return render(request, "bench/baseline.html")


urlpatterns = [
    path("bench/baseline/", baseline, name="bench_baseline"),
    path("bench/signed-in/", signed_in, name="bench_signed_in"),
    path("", include("hall.urls")),
]

handler500 = "hall.platform.outage.server_error"
