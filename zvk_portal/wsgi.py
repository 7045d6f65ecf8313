"""The serving process's entry point (gunicorn, `make serve`, `make run`): the Django application, and the garbage
collector set for a process that answers requests (docs/decisions.md, docs/performance.md)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zvk_portal.settings")
application = get_wsgi_application()

# A page allocates thousands of short-lived objects (querysets, rows, model instances) that die with its request: the
# young generation is collected after this many allocations rather than Python's 700.
YOUNG_COLLECTION_AFTER = 10_000


def tune_garbage_collector() -> None:
    """Collect what loading left behind, move everything alive now (modules, models, settings) out of the
    collector's sight for good, and collect the young generation less often."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_AFTER, middle, old)


tune_garbage_collector()
