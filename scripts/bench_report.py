"""The latest `make bench` run (bench-results.json) as the Markdown section of docs/performance.md.

Usage: `python scripts/bench_report.py [bench-results.json]` prints the section; paste it under "Latest run".
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _table(header: list[str], rows: list[list], right: set[int]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("| " + " | ".join("---:" if i in right else "---" for i in range(len(header))) + " |")
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def _met(flag: bool) -> str:
    return "yes" if flag else "**no**"


def report(results: dict) -> str:
    meta, data = results["meta"], results["dataset"]
    title = "PostgreSQL" if meta["database"] == "postgresql" else "SQLite"
    out = [f"## Latest run: {title}", ""]
    out.append(
        f"Run of {meta['date']}, {meta['database']}, {meta['cpus']} cores, load average {meta['loadavg_start']} → "
        f"{meta['loadavg_end']}, {meta['runs']} runs per page. Dataset: members {data['members']:,}, billing units "
        f"{data['billing_units']:,}, users {data['users']:,}, grants {data['grants']:,}, audit entries "
        f"{data['audit_entries']:,}."
    )
    out.append("")
    rows = [
        [row["page"], row["queries"], f"{row['median_ms']:.1f}", f"{row['p95_ms']:.1f}", f"{row['cpu_median_ms']:.1f}"]
        for row in results["pages"] + results["peer"] + results.get("bound", [])
    ]
    out += _table(["page (in-process)", "queries", "median ms", "p95 ms", "CPU ms"], rows, {1, 2, 3, 4})
    split = [row for row in results["pages"] + results["peer"] if "sql_ms" in row]
    if split:
        out.append("")
        rows = [
            [row["page"], f"{row['sql_ms']:.1f}", f"{row['template_ms']:.1f}", f"{row['python_ms']:.1f}"]
            for row in split
        ]
        header = ["where the time goes (median of 20 instrumented requests)", "SQL ms", "template ms", "Python ms"]
        out += _table(header, rows, {1, 2, 3})
    load = results.get("load")
    if load:
        out.append("")
        labels = {"floor": "floor: `/` redirect", "list": "Verwaltung der Benutzer", "detail": "Detailansicht"}
        labels["login"] = "Login (GET + POST)"
        rows = [
            [
                labels[key],
                f"{load[key]['rps']:.1f}",
                f"{load[key]['p50_ms']:.1f}",
                f"{load[key]['p95_ms']:.1f}",
                load[key]["errors"],
                f"{load[key].get('server_cpu_ms_per_request', 0):.1f}",
            ]
            for key in ("floor", "list", "detail", "login")
            if key in load
        ]
        header = [
            "under load (gunicorn, 3 workers)",
            "requests/s",
            "p50 ms",
            "p95 ms",
            "errors",
            "server CPU ms/request",
        ]
        out += _table(header, rows, {1, 2, 3, 4, 5})
    hashing = results["hashing"]["configured"]
    out += [
        "",
        f"One Argon2id hash (m = {hashing['m_kib']} KiB, t = {hashing['t']}, p = {hashing['p']}): "
        f"{hashing['median_ms']:.1f} ms, {hashing['cpu_median_ms']:.1f} ms CPU.",
        "",
    ]
    rows = [[r["what"], f"{r['value']:.3f}", r["limit"], _met(r["met"])] for r in results["ratios"].values()]
    out += _table(["ratio budget", "measured", "limit", "met"], rows, {1, 2})
    if results.get("bounds"):
        out.append("")
        rows = [
            [
                b["what"],
                f"{b['value']:.3f}",
                b["budget"],
                "–" if b["page"] is None else f"{b['page']:.3f}",
                "yes" if b["reachable"] else "**no**",
            ]
            for b in results["bounds"].values()
        ]
        header = ["lower bound (the page's SQL alone)", "bound", "page's budget", "page", "budget reachable"]
        out += _table(header, rows, {1, 2, 3})
    out.append("")
    rows = [[q["budget"], q["value"], q["limit"], _met(q["met"])] for q in results["query_budgets"]]
    out += _table(["query budget", "measured", "limit", "met"], rows, {1, 2})
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench-results.json"
    print(report(json.loads(path.read_text())))
