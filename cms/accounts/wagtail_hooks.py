from django.urls import path
from wagtail import hooks

from . import views


@hooks.register("register_admin_urls")
def second_factor_urls():
    return [
        path("second-factor/", views.verify, name="second_factor_verify"),
        path("second-factor/setup/", views.setup, name="second_factor_setup"),
    ]
