"""gunicorn's worker model follows the machine unless the operator says otherwise (gunicorn.conf.py, chosen by
`make loadtest`, docs/performance.md), and the load test reports each page's p95 under load against its idle p95."""

import os
import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def gunicorn_settings(monkeypatch, **env) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        # set, even if empty, so that a developer's .env (read without overwriting) cannot change the answer
        monkeypatch.setenv(name, env.get(name, ""))
    before = set(os.environ)
    try:
        return runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        for name in set(os.environ) - before:  # what it read from a .env stays out of the other tests
            del os.environ[name]


def test_gunicorn_runs_gthread_with_one_process_per_core_by_default(monkeypatch):
    conf = gunicorn_settings(monkeypatch)
    assert conf["worker_class"] == "gthread"
    assert conf["workers"] == len(os.sched_getaffinity(0))  # the cores this process may use
    assert conf["threads"] == 8
    assert conf["timeout"] > 15  # above the database's statement timeout: a slow query is a 503, not a killed worker
    assert conf["control_socket_disable"] is True


def test_the_operator_sets_processes_threads_and_timeout(monkeypatch):
    conf = gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3", GUNICORN_THREADS="4", GUNICORN_TIMEOUT="45")
    assert (conf["workers"], conf["threads"], conf["timeout"]) == (3, 4, 45)


@pytest.fixture
def loadtest(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    import loadtest

    yield loadtest
    sys.modules.pop("loadtest", None)


def test_the_load_test_prints_p95_under_load_against_idle_p95(loadtest, capsys):
    idle, busy = loadtest.Stats(), loadtest.Stats()
    for ms in range(10, 30):  # idle p95: 28 ms
        idle.record("detail", ms / 1000)
        idle.record("start", ms / 2000)
    for ms in range(100, 300, 10):  # under load p95: 280 ms
        busy.record("detail", ms / 1000)
    loadtest.report(busy, 10.0, idle)
    lines = capsys.readouterr().out.splitlines()
    [detail] = [line for line in lines if line.startswith("detail ")]
    assert detail.split()[-2:] == ["28.0", "10.0x"]
    [overall] = [line for line in lines if line.startswith("all pages")]
    assert "p95 280.0 ms under load" in overall and "ratio" in overall


def test_the_load_test_refuses_a_member_without_an_administrator(loadtest, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["loadtest.py", "--members", "5", "--admins", "4"])
    with pytest.raises(SystemExit) as refused:
        loadtest.parse_args()
    assert refused.value.code == 2 and "--admins must be at least --members" in capsys.readouterr().err
