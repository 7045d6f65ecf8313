"""The Jinja2 environment of the portal's pages.

The pages (`templates/base.html`, `includes/`, `accounts/`, `clerks/`, the error pages) are Jinja2
templates: Jinja2 compiles a template to Python once, and renders the large employer's tables several times
faster than Django's template language, which looks every variable up anew on every use. The Django admin's
templates (`templates/admin/`) and the e-mails (`templates/emails/`) stay Django templates; the loader
below leaves them to the second engine in `TEMPLATES`.

What the pages use beyond plain Jinja2: `url()`, `url_pk()`, `static()`, `users_list_url(request)` (the
list "Verwaltung der Benutzer" where the administrator left it, for every "Zurück"), the `datetime_de` / `date_de`
/ `day` filters, `euro` ("1.234,56 €"), `otp_groups`, `with_csrf` (kept HTML with the page's token, base/kept_html.py)
and `csrf_input` (one masked token per page, zvk_portal/context_processors.py). The context processors of `TEMPLATES`
run as for Django templates (user, messages, fund).
"""

import html
import re
from datetime import datetime, time
from functools import lru_cache

from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.timezone import get_default_timezone
from jinja2 import Environment, FileSystemLoader, TemplateNotFound
from markupsafe import Markup

from base.kept_html import with_csrf


def _local(value) -> datetime:
    """An aware moment in the fund's time zone (settings.TIME_ZONE). The portal shows every time there and activates
    no other zone, so the zone is Django's default, looked up once: Django's `template_localtime` asks for the
    request's active zone on every value, and a Detailansicht writes forty. A naive moment stays as it is, a date
    is its midnight."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time())
    return value.astimezone(get_default_timezone()) if value.tzinfo is not None else value


def datetime_de(value) -> str:
    """`{{ moment|datetime_de }}` is Django's `{{ moment|date:"DATETIME_FORMAT" }}` in the fund's time zone (the formats
    live in zvk_portal/formats/de: "06.07.2020 11:55"), written without Django's date filter, which reads the format
    settings anew for each value: a list writes a hundred dates."""
    if not value:
        return ""
    at = _local(value)
    return f"{at.day:02d}.{at.month:02d}.{at.year:04d} {at.hour:02d}:{at.minute:02d}"


def datetime_de_seconds(value) -> str:
    """`{{ moment|datetime_de_seconds }}`: with seconds ("06.07.2020 11:55:07"), where entries of one minute must
    keep their order (the Änderungsprotokoll)."""
    if not value:
        return ""
    at = _local(value)
    return f"{at.day:02d}.{at.month:02d}.{at.year:04d} {at.hour:02d}:{at.minute:02d}:{at.second:02d}"


def date_de(value) -> str:
    """`{{ moment|date_de }}` is Django's `{{ moment|date:"DATE_FORMAT" }}` in the fund's time zone ("06.07.2020"); a
    date without a time is written as it is."""
    if not value:
        return ""
    at = _local(value) if isinstance(value, datetime) else value
    return f"{at.day:02d}.{at.month:02d}.{at.year:04d}"


def day(value) -> str:
    """`{{ person.birth_date|day }}`: a calendar date (no time zone) as "17.05.1980"; none as "–"."""
    return f"{value:%d.%m.%Y}" if value else "–"


@lru_cache(maxsize=4096)
def email_breaks(value) -> Markup:
    """`{{ person.email|email_breaks }}`: an e-mail address that a narrow column may wrap after the "@" and after
    each dot, and nowhere else (not after a hyphen: "von-schoenberg" stays whole). Each part is a span that does
    not wrap; a <wbr> between two parts is where a line may end."""
    parts = re.split(r"(?<=[@.])", str(value))
    return Markup("<wbr>").join(Markup('<span class="email-part">%s</span>') % part for part in parts if part)


def unit_numbers(units) -> Markup:
    """`{{ person.units|unit_numbers }}`: billing units as their numbers, comma-separated, each name shown on hover
    ("<span title="Bauhof">0100</span>, …"). A list page shows a thousand: written here, escaped by the standard
    library's `html.escape` (quotes included), it costs a fraction of a template loop whose every value passes
    through markupsafe's `escape` (docs/performance.md, "Template helpers")."""
    return Markup(", ".join(f'<span title="{_escaped(name)}">{_escaped(number)}</span>' for number, name in units))


def select_options(choices, chosen: str) -> Markup:
    """`{{ field.field.choices|select_options(chosen) }}`: the <option>s of a select of hundreds (an administrator's
    billing units), the one whose value is `chosen` selected; written here as `unit_numbers` is."""
    return Markup(
        "".join(
            f'<option value="{_escaped(value)}"{" selected" if str(value) == chosen else ""}>{_escaped(label)}</option>'
            for value, label in choices
        )
    )


def _escaped(value) -> str:
    return html.escape(str(value), quote=True)


def otp_groups(value) -> Markup:
    """`{{ otp_value|otp_groups }}`: the ten digits of a one-time password as 3-3-4 groups, to read aloud on the
    phone ("793 267 3462"). The gaps are CSS margins between spans, not spaces: copying the password, or reading
    its text, gives the ten digits alone."""
    digits = str(value)
    groups = [digits[:3], digits[3:6], digits[6:]] if len(digits) == 10 else [digits]
    return Markup("").join(Markup('<span class="otp-group">%s</span>') % group for group in groups if group)


def url(name: str, *args) -> str:
    """`{{ url("clerks:detail", clerk.pk) }}` is Django's `{% url "clerks:detail" clerk.pk %}`; a URL without
    arguments (every page's menu has a dozen) is reversed once."""
    if args:
        return reverse(name, args=args)
    return _fixed_url(name, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=256)
def _fixed_url(name: str, prefix: str, urlconf) -> str:
    return reverse(name, urlconf=urlconf)


PLACEHOLDER = 987654321987


@lru_cache(maxsize=64)
def _url_template(name: str, prefix: str, urlconf) -> tuple[str, str]:
    return tuple(reverse(name, args=[PLACEHOLDER], urlconf=urlconf).split(str(PLACEHOLDER), 1))


def url_pk(name: str, pk) -> str:
    """`{{ url_pk("clerks:detail", person.pk) }}` is `url("clerks:detail", person.pk)` for a URL whose only
    argument is an integer primary key: the pattern is reversed once per URL name, not once per table row.
    The list counts on it so that its 50 rows with two links each stay within 0.35× of the Django admin's
    change list: a reverse() per link costs the list page 8–11 % more CPU (docs/performance.md)."""
    before, after = _url_template(name, get_script_prefix(), get_urlconf())
    return f"{before}{int(pk)}{after}"


class PageLoader(FileSystemLoader):
    """The portal's pages from `templates/`; the admin's and the e-mails' Django templates are not Jinja2."""

    DJANGO_TEMPLATES = ("admin/", "emails/")

    def get_source(self, environment, template):
        if template.startswith(self.DJANGO_TEMPLATES):
            raise TemplateNotFound(template)
        return super().get_source(environment, template)


def environment(**options) -> Environment:
    options["loader"] = PageLoader(options["loader"].searchpath)
    from clerks.listing import list_url  # the app registry is ready once the template engine is made
    from factors.views import recovery_codes_due
    from insured.formats import euro

    env = Environment(**options)
    env.globals.update(
        static=static, url=url, url_pk=url_pk, users_list_url=list_url, recovery_codes_due=recovery_codes_due
    )
    env.filters.update(
        email_breaks=email_breaks,
        unit_numbers=unit_numbers,
        select_options=select_options,
        otp_groups=otp_groups,
        datetime_de=datetime_de,
        datetime_de_seconds=datetime_de_seconds,
        date_de=date_de,
        euro=euro,
        day=day,
        with_csrf=with_csrf,
    )
    return env
