"""The dataset of `make bench` (scripts/bench_dataset.py), built small: the benchmark measures what the
portal would hold, so its rows must look like the services' own. And how the benchmark measures and judges:
interleaved runs, and budgets as ratios of two terms of the same run."""

import pytest
from django.contrib.auth.hashers import check_password

from accounts.models import Membership, Role, Status, User
from audit.models import AuditEntry
from clerks.models import Grant, MemberLock
from scripts import bench_dataset
from scripts.bench import Scenario, bounds, measure_interleaved, percentile, ratios
from tests.helpers import enrol_app

SMALL = bench_dataset.Shape(
    members=10,
    total_users=100,
    large_clerks=40,
    large_units=12,
    large_administrators=2,
    large_audit_entries=300,
    detail_grants=10,
    detail_audit_entries=30,
    small_units=3,
    insured_persons=60,
    insured_years=2,
    insured_reports=20,
    small_insured_persons=5,
    long_verlauf_years=4,
)


@pytest.fixture
def dataset(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return bench_dataset.build(SMALL)


def test_sizes_are_the_shapes(dataset):
    assert dataset.counts["members"] == 10
    assert dataset.counts["users"] == 100  # with the fund's staff member of the Django admin
    assert dataset.counts["audit_entries"] == 300
    large = Membership.objects.filter(member_id=dataset.large_member)
    assert large.filter(user__role=Role.CLERK).count() == 40 + 2  # and the two clerks of the workspace
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


def test_the_workspace_of_the_largest_unit_is_as_the_services_leave_it(dataset, client):
    from insured.models import Employment, Report, ReportStatus, Section

    large = Employment.objects.filter(person_id=dataset.long_verlauf_person).get().billing_unit
    assert Employment.objects.filter(billing_unit=large).count() == 60
    assert Section.objects.filter(billing_unit=large).count() == 59 * 2 + 4
    assert Section.objects.filter(person_id=dataset.long_verlauf_person).count() == 4
    assert set(Report.objects.values_list("status", flat=True)) == set(ReportStatus.values)
    assert Report.objects.count() == 20 and all(r.sections.count() == 1 for r in Report.objects.all())
    clerk = User.objects.get(email=dataset.workspace_clerk_email, role=Role.CLERK)
    client.force_login(clerk)
    html = client.get("/versicherte/").content.decode()
    assert "60 Versicherte" in html
    page = client.get(f"/versicherte/{dataset.long_verlauf_person}/")
    assert page.status_code == 200 and page.content.decode().count("Summe ") == 4
    small = User.objects.get(email=dataset.small_workspace_clerk_email, role=Role.CLERK)
    client.force_login(small)
    assert "5 Versicherte" in client.get("/versicherte/").content.decode()


def workspace_report(person_ms, without_ms, **more) -> dict:
    """A run's report with the workspace's pages: the Versicherter with and without its log, run by run."""
    pages = [
        page("list", 3.0),
        page("detail", 3.0),
        page("login", 30.0, cpu_ms=30.0),
        page("persons", 4.6),
        page("persons_search", 5.5),
        page("person", 3.4, samples_ms=person_ms),
        page("person_without_log", 3.0, samples_ms=without_ms),
        page("persons_small", 4.0),
    ]
    peer = [page("admin_changelist", 10.0), page("floor", 1.0), page("hash", 20.0, cpu_ms=20.0)]
    return {"pages": pages, "peer": peer, **more}


def test_the_workspace_budgets_are_ratios_with_met_flags():
    # The log's share is the median of the run-by-run differences (0.3, 0.05, 0.6 ms): 0.3 / 3.0, where the
    # difference of the medians (3.4 - 3.0) would say 0.13.
    report = workspace_report([3.3, 3.4, 3.5], [3.0, 3.35, 2.9])

    result = ratios(report)

    assert {
        name: (row["value"], row["met"]) for name, row in result.items() if name.startswith(("person", "access"))
    } == {
        "persons_vs_floor": (4.6, True),
        "persons_search_vs_floor": (5.5, False),
        "person_vs_floor": (3.4, True),
        "persons_5000_vs_50": (1.15, True),
        "access_log_share": (0.1, True),
    }


def test_the_access_log_share_comes_from_its_own_pair_where_it_was_measured():
    """The pair measured on its own, with more runs, decides the share; the pages' rows still give the ratio to the
    floor."""
    pair = [
        page("person", 3.2, samples_ms=[3.1, 3.2, 3.3]),
        page("person_without_log", 3.0, samples_ms=[3.0, 3.0, 3.1]),
    ]
    report = workspace_report([3.4, 3.4, 3.4], [3.0, 3.0, 3.0], access_log_pair=pair)

    result = ratios(report)

    assert result["access_log_share"]["value"] == pytest.approx(0.2 / 3.0, abs=0.001)  # the pages' rows say 0.4 / 3.0
    assert result["person_vs_floor"]["value"] == 3.4


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


def page(key, median_ms, cpu_ms=1.0, queries=6, samples_ms=None):
    samples = samples_ms or [median_ms]
    return {"key": key, "median_ms": median_ms, "cpu_median_ms": cpu_ms, "queries": queries, "samples_ms": samples}


def test_budgets_are_ratios_of_the_same_run_with_a_met_flag_each():
    report = {
        "pages": [page("list", 3.0), page("detail", 5.0), page("login", 30.0, cpu_ms=30.0)],
        # The login's hash interleaved with the logins (20 ms) counts, not the one timed apart (15 ms).
        "peer": [page("admin_changelist", 10.0), page("floor", 1.0), page("hash", 20.0, cpu_ms=20.0)],
        "hashing": {"configured": {"cpu_median_ms": 15.0}},
        "load": {key: {"rps": rps} for key, rps in (("floor", 1000.0), ("list", 300.0), ("detail", 150.0))},
        "users_scaling": [
            {**page("list", 5.0), "users": 100_000},
            {**page("list", 5.0), "users": 10_000},
            {**page("detail", 6.0), "users": 100_000},
            {**page("detail", 5.0), "users": 10_000},
        ],
        "scaling": [{**page("list", 4.0), "clerks": 100}, {**page("list", 4.2), "clerks": 1_000}],
    }

    result = ratios(report)

    assert {name: (row["value"], row["met"]) for name, row in result.items()} == {
        "list_vs_admin": (0.3, True),
        "list_vs_floor": (3.0, True),
        "detail_vs_floor": (5.0, False),
        "load_list_vs_floor": (0.3, True),
        "load_detail_vs_floor": (0.15, False),
        "list_users_100k_vs_10k": (1.0, True),
        "detail_users_100k_vs_10k": (1.2, False),
        "list_clerks_1000_vs_100": (1.05, True),
        "login_cpu_vs_hash": (1.5, False),
    }


def test_a_bound_past_its_budget_says_the_budget_is_out_of_reach():
    report = {
        "pages": [page("list", 12.0)],
        "peer": [page("admin_changelist", 40.0), page("floor", 2.0)],
        "bound": [page("list_statements", 12.0), page("detail_statements", 4.0)],
        "ratios": {"list_vs_floor": {"value": 6.0}, "list_vs_admin": {"value": 0.3}},
    }

    result = bounds(report)

    assert {name: (row["value"], row["reachable"], row["page"]) for name, row in result.items()} == {
        "list_statements_vs_floor": (6.0, False, 6.0),
        "list_statements_vs_admin": (0.3, True, 0.3),
        "detail_statements_vs_floor": (2.0, True, None),
    }


@pytest.mark.django_db
def test_where_the_time_goes_splits_a_request_into_sql_template_and_python(client, gera_admin):
    """The split adds up to the request, and a page that renders a template and queries shows both."""
    from scripts.bench import where_time_goes

    client.force_login(gera_admin)
    split = where_time_goes([Scenario("list", "Liste", lambda i: client.get("/benutzer/"))], runs=3)["list"]
    assert split["sql_ms"] > 0 and split["template_ms"] > 0 and split["python_ms"] > 0
