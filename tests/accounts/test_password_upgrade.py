"""Existing password hashes upgrade on the next successful login (the Argon2id parameters are ours
to choose, so a change of them must reach every account without a forced password reset)."""

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password

import zvk_portal.settings as production
from accounts.models import User
from tests import factories
from tests.helpers import post_login

# Small parameter sets keep the test fast; the mechanism is the same as for the production values.
OLD = {"ARGON2_MEMORY_COST_KIB": 1024, "ARGON2_TIME_COST": 1, "ARGON2_PARALLELISM": 1}
NEW = {"ARGON2_MEMORY_COST_KIB": 2048, "ARGON2_TIME_COST": 2, "ARGON2_PARALLELISM": 1}


@pytest.fixture
def argon2(settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS  # the autouse fast hasher is not what we test

    def use(parameters):
        for name, value in parameters.items():
            setattr(settings, name, value)

    return use


def parameters(encoded: str) -> dict:
    decoded = identify_hasher(encoded).decode(encoded)
    return {"m": decoded["memory_cost"], "t": decoded["time_cost"], "p": decoded["parallelism"]}


def test_hash_with_old_parameters_is_rehashed_with_the_new_ones_at_login(client, argon2, gera_units):
    argon2(OLD)
    clerk = factories.ClerkFactory(units=gera_units[:1])  # hashed with the parameters in force now
    assert parameters(clerk.password) == {"m": 1024, "t": 1, "p": 1}
    argon2(NEW)
    assert post_login(client, clerk, factories.PASSWORD).status_code == 302
    clerk.refresh_from_db()
    assert parameters(clerk.password) == {"m": 2048, "t": 2, "p": 1}
    assert check_password(factories.PASSWORD, clerk.password)


def test_a_wrong_password_upgrades_nothing(client, argon2, gera_units):
    argon2(OLD)
    clerk = factories.ClerkFactory(units=gera_units[:1])
    old_hash = clerk.password
    argon2(NEW)
    assert post_login(client, clerk, "ein falsches Passwort").status_code == 200
    clerk.refresh_from_db()
    assert clerk.password == old_hash


def test_hash_of_another_algorithm_becomes_argon2id(client, argon2, gera_units):
    argon2(NEW)
    clerk = factories.ClerkFactory(units=gera_units[:1])
    User.objects.filter(pk=clerk.pk).update(password=make_password(factories.PASSWORD, hasher="pbkdf2_sha256"))
    assert post_login(client, clerk, factories.PASSWORD).status_code == 302
    clerk.refresh_from_db()
    assert clerk.password.startswith("argon2$argon2id$")
    assert User.objects.get(pk=clerk.pk).check_password(factories.PASSWORD)


def test_current_hash_is_left_alone(client, argon2, gera_units):
    argon2(NEW)
    clerk = factories.ClerkFactory(units=gera_units[:1])
    current = clerk.password
    assert parameters(current) == {"m": 2048, "t": 2, "p": 1}
    assert post_login(client, clerk, factories.PASSWORD).status_code == 302
    clerk.refresh_from_db()
    assert clerk.password == current
