"""The hall's URLs plus the bench's baseline page: the base layout with an empty content block,
rendered by the same middleware and template engine, and no queries. Every page's throughput is
reported as a ratio to it, so that the figures say what a page costs beyond the framework."""

from django.shortcuts import render
from django.urls import include, path


def baseline(request):
    return render(request, "bench/baseline.html")


urlpatterns = [
    path("bench/baseline/", baseline, name="bench_baseline"),
    path("", include("hall.urls")),
]

handler500 = "hall.platform.outage.server_error"
