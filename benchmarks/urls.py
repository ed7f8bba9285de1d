"""The CMS's URLs, plus the bare create endpoint at /bench/bare/."""

from django.urls import path

from benchmarks.bench.views import BareCreateView
from cms.urls import urlpatterns as cms_urlpatterns

urlpatterns = [path("bench/bare/", BareCreateView.as_view(), name="bench_bare"), *cms_urlpatterns]
