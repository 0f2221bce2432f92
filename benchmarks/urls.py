"""The site's URLs plus a bare view, the baseline the list page is measured against."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare), path("", include("kembar.urls"))]
