"""WhiteNoise serves the static files: in production what collectstatic wrote, with hashed names,
a year of browser caching and compressed copies; in the test run straight from static/."""

import re

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_collected_static_files_are_served_hashed_cached_and_compressed(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", "--no-input", verbosity=0)

    client = Client()  # a new client loads the middleware with these settings
    html = client.get("/login/", secure=True).content.decode()
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', html).group(1)
    response = client.get(stylesheet, secure=True, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_static_files_are_served_without_collectstatic_in_the_test_run(client):
    response = client.get("/static/js/portal.js", secure=True)
    assert response.status_code == 200
    assert b"data-toggle-all" in b"".join(response.streaming_content)
