"""The people of the tests: Gera's two administrators and its clerk, and Jena's administrator and clerk,
who must see nothing of Gera (and the other way round)."""

import factory.random
import pytest
from django.db.backends.signals import connection_created
from django.test import Client

from clerks import services as clerk_services
from tests import factories
from tests.helpers import verified_login


def _allow_flushing_the_audit_log(sender, connection, **kwargs):
    """The audit table refuses TRUNCATE on PostgreSQL (migration accounts/0008) unless the session says so; the
    test database is flushed with TRUNCATE after every transactional test."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET zvk.allow_audit_truncate = 'on'")


connection_created.connect(_allow_flushing_the_audit_log)

# `client.force_login(user)` stands for a whole login, second factor included (tests.helpers.verified_login), in
# every test and fixture; a test of what the password alone reaches uses tests.helpers.password_only_login.
Client.force_login = verified_login


@pytest.fixture(autouse=True)
def no_answer_floor(settings):
    """ "Passwort vergessen" waits for its answer floor in production; the tests that are not about timing skip it
    (tests/test_trust_across_members.py measures it)."""
    settings.FORGOT_PASSWORD_MIN_SECONDS = 0


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty local-memory cache: the panels kept there (clerks/panels.py) are keyed by ids
    that another test's rolled-back rows may have used too."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def same_names_every_run(request):
    """The factories' Faker names are drawn from a seed of the test's own id: a test sees the same names in every
    run and in any order, so a name that happens to match a search fails every time or never."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Argon2 everywhere else; a fast hasher keeps the suite quick (tests/test_settings.py checks
    the production list)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def gera(db):
    return factories.MemberFactory(
        number="002020", name="Stadt Gera", street="Kornmarkt 12", postal_code="07545", city="Gera"
    )


@pytest.fixture
def gera_units(gera):
    return [
        factories.BillingUnitFactory(member=gera, number="002020", name="Stadt Gera"),
        factories.BillingUnitFactory(member=gera, number="002021", name="Stadt Gera – Eigenbetrieb Bäder"),
        factories.BillingUnitFactory(member=gera, number="002022", name="Stadt Gera – Kita-Verbund"),
    ]


@pytest.fixture
def jena(db):
    return factories.MemberFactory(number="003030", name="Stadt Jena", city="Jena")


@pytest.fixture
def jena_units(jena):
    return [
        factories.BillingUnitFactory(member=jena, number="003030", name="Stadt Jena"),
        factories.BillingUnitFactory(member=jena, number="003031", name="Stadt Jena – Kommunale Immobilien"),
    ]


@pytest.fixture
def gera_admin(gera_units):
    return factories.AdministratorFactory(
        email="admin@stadt-gera.example", first_name="Maria", last_name="Keller", units=gera_units
    )


@pytest.fixture
def gera_admin2(gera_units):
    return factories.AdministratorFactory(
        email="personal@stadt-gera.example", first_name="Jonas", last_name="Richter", units=gera_units
    )


@pytest.fixture
def jena_admin(jena_units):
    return factories.AdministratorFactory(
        email="admin@stadt-jena.example", first_name="Sabine", last_name="Hartmann", units=jena_units
    )


@pytest.fixture
def gera_clerk(gera_units):
    return factories.ClerkFactory(
        email="anna.schmidt@stadt-gera.example", first_name="Anna", last_name="Schmidt", units=gera_units[:2]
    )


@pytest.fixture
def jena_clerk(jena_units):
    return factories.ClerkFactory(
        email="eva.becker@stadt-jena.example", first_name="Eva", last_name="Becker", units=jena_units[:1]
    )


@pytest.fixture
def staff(db):
    return factories.StaffFactory(email="zvk@kvt-zvk.example")


@pytest.fixture
def admin_client(client, gera_admin):
    client.force_login(gera_admin)
    return client


# --- Accounts that span members (DESIGN §8) -----------------------------------------------------------------


@pytest.fixture
def both_admin(gera_units, jena_units):
    return factories.AdministratorFactory(
        email="beide@stadt-gera.example", first_name="Petra", last_name="Beide", units=gera_units + jena_units
    )


@pytest.fixture
def shared_clerk(both_admin, gera_units, jena_units):
    """Created by the administrator of both members, with one Gera and one Jena unit."""
    return clerk_services.create_clerk(
        by=both_admin,
        first_name="Geteilt",
        last_name="Sachbearbeiterin",
        phone="0365 838-1234",
        email="geteilt@stadt-gera.example",
        unit_ids=[gera_units[0].pk, jena_units[0].pk],
    )
