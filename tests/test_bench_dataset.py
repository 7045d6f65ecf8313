"""The dataset of `make bench` (scripts/bench_dataset.py), built small: the benchmark measures what the
portal would hold, so its rows must look like the services' own (issue 8)."""

import pytest
from django.contrib.auth.hashers import check_password

from accounts.models import Membership, Role, Status, User
from audit.models import AuditEntry
from clerks.models import Grant, MemberLock
from scripts import bench_dataset
from scripts.bench import Scenario, measure_interleaved, percentile
from tests.helpers import enrol_app

SMALL = bench_dataset.Shape(
    members=3,
    total_users=90,
    large_clerks=40,
    large_units=12,
    large_administrators=2,
    large_audit_entries=300,
    detail_grants=10,
    detail_audit_entries=30,
    small_units=3,
)


@pytest.fixture
def dataset(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return bench_dataset.build(SMALL)


def test_sizes_are_the_shapes(dataset):
    assert dataset.counts["members"] == 3
    assert dataset.counts["users"] == 90
    assert dataset.counts["audit_entries"] == 300
    large = Membership.objects.filter(member_id=dataset.large_member)
    assert large.filter(user__role=Role.CLERK).count() == 40
    assert large.filter(user__role=Role.ADMINISTRATOR).count() == 2
    assert Grant.objects.filter(clerk_id=dataset.detail_clerk).count() == 10


def test_every_user_is_as_the_services_leave_it(dataset):
    assert not User.objects.exclude(role=Role.STAFF).exclude(memberships__isnull=False).exists()
    for clerk in User.objects.clerks().filter(status=Status.LOCKED):
        assert not clerk.is_active and not clerk.grants.exists()
        assert MemberLock.objects.open().filter(clerk=clerk).exists()
    for clerk in User.objects.clerks().filter(status__in=[Status.PENDING, Status.DEACTIVATED]):
        assert clerk.otp_hash and clerk.otp_expires_at
    active = User.objects.get(email=dataset.active_clerks[0], role=Role.CLERK)
    assert check_password(bench_dataset.PASSWORD, active.password)


def test_audit_entries_belong_to_the_large_member_or_to_no_member(dataset):
    assert set(AuditEntry.objects.values_list("member_id", flat=True)) == {dataset.large_member, None}
    assert AuditEntry.objects.filter(target_id=dataset.detail_clerk).count() == 30


def test_the_scenarios_can_log_in_and_find_their_people(dataset, client):
    response = client.post(
        "/login/", {"role": Role.ADMINISTRATOR, "email": dataset.administrators[0], "password": bench_dataset.PASSWORD}
    )
    assert response.status_code == 302
    enrol_app(client, User.objects.get(email=dataset.administrators[0], role=Role.ADMINISTRATOR))
    assert client.get(f"/benutzer/{dataset.detail_clerk}/").status_code == 200
    assert client.get(f"/benutzer/{dataset.lockable_clerks[0]}/").status_code == 200


def test_percentile_is_the_nearest_rank():
    samples = list(range(1, 101))
    assert percentile(samples, 0.95) == 95
    assert percentile(samples, 0.5) == 50
    assert percentile([7.0], 0.95) == 7.0


@pytest.mark.django_db
def test_interleaved_measuring_runs_every_scenario_once_before_any_runs_again():
    calls = []

    class Ok:
        status_code = 200

    def request(name):
        def run(i):
            calls.append((name, i))
            return Ok()

        return run

    results = measure_interleaved([Scenario("a", "A", request("a")), Scenario("b", "B", request("b"))], 3, 1)

    # warm-up 0, the run whose queries are counted (1), then the three timed runs 2, 3 and 4
    assert calls == [(name, i) for i in range(5) for name in ("a", "b")]
    assert [(r["key"], r["runs"], r["queries"]) for r in results] == [("a", 3, 0), ("b", 3, 0)]
