"""WSGI entry point. Without DJANGO_SETTINGS_MODULE it loads cms.settings.production, which
refuses to start without its environment: a server started bare never runs with DEBUG on or
the embedded mode's public key. ``manage.py runserver`` (make run) sets cms.settings.dev first."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")
application = get_wsgi_application()
