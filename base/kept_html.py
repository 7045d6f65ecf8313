"""HTML rendered once and kept (a cache) whose forms need the CSRF token of the page that shows them: rendered with
CSRF_SLOT as its `csrf_input`, shown through the Jinja2 filter `with_csrf`, which puts in the page's own token."""

from markupsafe import Markup

# A comment: escaped text can never contain it ("<" is written "&lt;"), so only the fragment's own template puts it.
CSRF_SLOT = Markup("<!--csrf-input-->")


def with_csrf(fragment, csrf_input) -> Markup:
    """`{{ kept_html|with_csrf(csrf_input) }}`: the kept fragment with this page's CSRF token in each of its forms."""
    return Markup(str(fragment).replace(CSRF_SLOT, str(csrf_input)))
