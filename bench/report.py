"""The results as a markdown table (bench/results/latest.md and the README's Benchmarks)."""

from __future__ import annotations


def _f(value, digits=1, unit=""):
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"
    return f"{text}{unit}"


def _rounds(values, digits=1):
    return " / ".join(_f(v, digits) for v in values)


# Human actions per lifecycle step: filing is two (registering the applicant, receiving the
# application), every other step one.
ACTIONS = {"file": 2}


def _verdict(value, target, *, at_most=False) -> str:
    if value is None:
        return "–"
    met = value <= target if at_most else value >= target
    return "met" if met else "missed"


# Issue 27's targets: key in latest.json → (what it is, target, at most?).
TARGETS = {
    "lifecycle_over_viewflow_1p": (
        "ours ÷ vanilla viewflow on the same BPMN, 1 process",
        1.0,
        False,
    ),
    "lifecycle_over_viewflow_2p": (
        "ours ÷ vanilla viewflow on the same BPMN, 2 processes",
        1.0,
        False,
    ),
    "cpu_ms_per_case": ("CPU ms per case, client + PostgreSQL backend, 1 process", 80.0, True),
    "lifecycle_over_spiff_1p": ("ours ÷ SpiffWorkflow peer, 1 process", 0.3, False),
    "deemed_per_s_2_sweepers": ("deemed approvals/s, 2 sweepers, 0 duplicates", 3000.0, False),
    "desk_over_signed_in": ("`/desk/` ÷ signed-in empty page", 0.7, False),
    "window_over_signed_in": ("`/window/` ÷ signed-in empty page", 0.7, False),
    "supervision_over_signed_in": ("`/supervision/` ÷ signed-in empty page", 0.7, False),
    "performance_over_signed_in": (
        "`/supervision/performance/` ÷ signed-in empty page",
        0.5,
        False,
    ),
    "filings_per_s_http": ("filings/s over HTTP", 200.0, False),
    "web_worker_peak_rss_mib": ("peak RSS of a gunicorn web worker (MiB)", 150.0, True),
}
PAGE_KEYS = {
    "desk_over_signed_in": "officer inbox",
    "window_over_signed_in": "clerk workbench",
    "supervision_over_signed_in": "supervision dashboard",
    "performance_over_signed_in": "performance figures",
}


def _ratio(a, b):
    return a / b if a is not None and b else None


def target_values(r: dict) -> dict:
    """Issue 27's figures under their keys, each with its target and verdict."""
    cores = r["machine"]["cores"]
    life, vanilla, peer = r["lifecycle"], r.get("vanilla", {}), r["peer"]
    pages = r["web"]["pages"]
    signed_in = pages.get("signed-in empty page", {}).get("per_s")
    values = {
        "lifecycle_over_viewflow_1p": _ratio(
            life["processes_1"]["median"], vanilla.get("processes_1", {}).get("median")
        ),
        "lifecycle_over_viewflow_2p": _ratio(
            life[f"processes_{cores}"]["median"],
            vanilla.get(f"processes_{cores}", {}).get("median"),
        ),
        "cpu_ms_per_case": life["processes_1"].get("cpu_ms_per_case", {}).get("total"),
        "lifecycle_over_spiff_1p": _ratio(
            life["processes_1"]["median"], peer["processes_1"]["median"]
        ),
        "filings_per_s_http": r["web"]["filing"]["median_per_s"],
        "web_worker_peak_rss_mib": r["web"]["memory"]["gunicorn_worker_peak_rss_mib"],
    }
    two = r["sweep"]["sweepers_2"]
    values["deemed_per_s_2_sweepers"] = two["median_per_s"] if two["duplicates"] == 0 else 0.0
    for key, label in PAGE_KEYS.items():
        values[key] = _ratio(pages.get(label, {}).get("per_s"), signed_in)
    out = {}
    for key, (label, target, at_most) in TARGETS.items():
        value = values.get(key)
        out[key] = {
            "label": label,
            "value": value,
            "target": target,
            "at_most": at_most,
            "verdict": _verdict(value, target, at_most=at_most),
        }
    return out


def targets(r: dict) -> list[tuple[str, str, str, str]]:
    """Issue 13's targets, kept for comparison: (figure, value, target, verdict)."""
    cores = r["machine"]["cores"]
    life, peer, ceil = r["lifecycle"], r["peer"], r["ceiling"]
    sweep, web = r["sweep"], r["web"]
    out = []
    for n in (1, cores):
        key = f"processes_{n}"
        ratio = life[key]["median"] / peer[key]["median"]
        out.append(
            (
                f"lifecycle ÷ SpiffWorkflow peer, {n} process(es)",
                _f(ratio, 2),
                "≥ 0.5",
                _verdict(ratio, 0.5),
            )
        )
    for n in (1, cores):
        key = f"processes_{n}"
        ratio = life[key]["median"] / ceil[key]["median"]
        out.append(
            (
                f"ours ÷ ceiling of our own statements, {n} process(es)",
                _f(ratio, 2),
                "≥ 0.5",
                _verdict(ratio, 0.5),
            )
        )
    steps = life["queries"]["per_step"]
    actions = sum(ACTIONS.get(name, 1) for name in steps)
    commits = sum(s["commits"] for s in steps.values())
    outside = sum(s["autocommit_statements"] for s in steps.values())
    worst_savepoints = max(s["by_kind"].get("SAVEPOINT", 0) for s in steps.values())
    shape_ok = commits == actions and outside == 0 and worst_savepoints <= 1
    out.append(
        (
            "commits per case = human actions; statements outside; savepoints per action (max)",
            f"{commits} commits for {actions} actions; {outside} outside; {worst_savepoints}",
            f"= {actions}; 0; ≤ 1",
            "met" if shape_ok else "missed",
        )
    )
    per_case = life["queries"]["per_case"]
    # Django's query log also lists each transaction's BEGIN and COMMIT; these are statements
    # sent to the database, not counted as queries here
    control = per_case["by_kind"].get("BEGIN", 0) + per_case["by_kind"].get("COMMIT", 0)
    queries = per_case["queries"] - control
    out.append(
        (
            f"queries per case (statements, without the {control} BEGIN/COMMIT)",
            _f(queries),
            "≤ 150",
            _verdict(queries, 150, at_most=True),
        )
    )
    s2 = sweep["sweepers_2"]
    out.append(
        (
            f"deemed approvals/s, 2 sweepers, {sweep['topup']['open_steps']:,} open steps "
            f"(duplicates: {s2['duplicates']})",
            _f(s2["median_per_s"], 0),
            "≥ 1,000, 0 duplicates",
            "met" if s2["median_per_s"] >= 1000 and s2["duplicates"] == 0 else "missed",
        )
    )
    pages = web["pages"]
    base = pages.get("baseline", {}).get("per_s")
    for label, target in (
        ("officer inbox", 0.5),
        ("clerk workbench", 0.5),
        ("supervision dashboard", 0.3),
        ("performance figures", 0.3),
    ):
        page = pages.get(label, {})
        ratio = page["per_s"] / base if base and page.get("per_s") else None
        out.append(
            (
                f"`{page.get('path', label)}` throughput ÷ baseline page",
                _f(ratio, 2),
                f"≥ {target}",
                _verdict(ratio, target),
            )
        )
    filing = web["filing"]["median_per_s"]
    out.append(("filings/s over HTTP", _f(filing, 0), "≥ 200", _verdict(filing, 200)))
    mem = web["memory"]
    peak = max(mem["gunicorn_worker_peak_rss_mib"], mem["celery_worker_peak_rss_mib"])
    out.append(
        (
            "peak RSS per web / worker process (MiB)",
            f"{_f(mem['gunicorn_worker_peak_rss_mib'])} / {_f(mem['celery_worker_peak_rss_mib'])}",
            "≤ 150",
            _verdict(peak, 150, at_most=True),
        )
    )
    return out


def markdown(r: dict) -> str:
    m, v = r["machine"], r["versions"]
    cores = m["cores"]
    life, peer, ceil = r["lifecycle"], r["peer"], r["ceiling"]
    sweep, web = r["sweep"], r["web"]
    q = life["queries"]["per_case"]
    steps = life["queries"]["per_step"]
    load_before = ", ".join(f"{x:.2f}" for x in m["load_average_before"])
    load_after = ", ".join(f"{x:.2f}" for x in m["load_average_after"])
    pg = ", ".join(f"{k}={val}" for k, val in sorted(r["postgresql_settings"].items()))
    fixture = r["setup"]["fixture"]
    when = " (this run)" if fixture.get("loaded") else " (an earlier run; reused)"
    lines = [
        "# Seamless Hall benchmark",
        "",
        f"Machine: {cores} cores, load average {load_before} before and {load_after} after the "
        "run (the machine is shared). "
        f"Python {v['python']}, Django {v['django']}, django-viewflow {v['viewflow']}, "
        f"SpiffWorkflow {v['spiffworkflow']}, PostgreSQL {v['postgresql']}, "
        f"psycopg {v['psycopg']}, gunicorn {v['gunicorn']}, Celery {v['celery']}, "
        f"reportlab {v['reportlab']}. PostgreSQL settings: {pg}. "
        f"Run took {r['seconds']:.0f} s; the 1,000,000-case fixture loaded in "
        f"{fixture['seconds']:.0f} s{when}.",
        "",
        "Each figure is the median of the rounds listed beside it.",
        "",
        "## Targets (issue 27), one run",
        "",
        "| key | figure | this run | target | verdict |",
        "|---|---|---:|---|---|",
        *[
            f"| `{key}` | {t['label']} | {_f(t['value'], 2)} | "
            f"{'≤' if t['at_most'] else '≥'} {_f(t['target'], 1)} | {t['verdict']} |"
            for key, t in (r.get("targets") or target_values(r)).items()
        ],
        "",
        "## Issue 13's targets, kept for comparison",
        "",
        "| figure | this run | target | verdict |",
        "|---|---:|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in targets(r)],
        "",
        "Where the time goes: `lifecycle-statements.txt` (every statement of one case, by step and"
        " transaction) and `profile-lifecycle.txt` / `.html` (pyinstrument, eight cases) beside"
        " this file.",
        "",
        "## Every figure",
        "",
        "| figure | median | rounds | target |",
        "|---|---:|---|---|",
    ]

    def row(label, value, rounds="", target=""):
        lines.append(f"| {label} | {value} | {rounds} | {target} |")

    for n in (1, cores):
        key = f"processes_{n}"
        row(
            f"lifecycle, {n} process{'es' if n > 1 else ''} (cases/s)",
            _f(life[key]["median"], 2),
            _rounds(life[key]["rounds"], 2),
            "",
        )
        vanilla = r.get("vanilla", {}).get(key)
        if vanilla:
            row(
                f"vanilla viewflow, same BPMN, {n} process{'es' if n > 1 else ''} (cases/s)",
                _f(vanilla["median"], 2),
                _rounds(vanilla["rounds"], 2),
            )
        for name, section in (("ours", life), ("vanilla viewflow", r.get("vanilla", {})),
                              ("peer", peer), ("ceiling", ceil),
                              ("real-schema ceiling", r.get("replay", {}))):  # fmt: skip
            cpu = section.get(key, {}).get("cpu_ms_per_case")
            if cpu:
                row(
                    f"CPU ms per case, {name}, {n} process{'es' if n > 1 else ''} "
                    "(client + backend)",
                    f"{_f(cpu['total'])} ({_f(cpu['client'])} + {_f(cpu['backend'])})",
                    _rounds([c["total"] for c in section[key]["cpu_rounds"]]),
                )
        row(
            f"peer SpiffWorkflow, {n} process{'es' if n > 1 else ''} (cases/s)",
            _f(peer[key]["median"], 1),
            _rounds(peer[key]["rounds"], 1),
        )
        row(
            f"ours ÷ peer, {n} process{'es' if n > 1 else ''}",
            _f(life[key]["median"] / peer[key]["median"], 3),
            "",
            "≥ 0.5",
        )
        row(
            f"database ceiling, {n} process{'es' if n > 1 else ''} (cases/s, bare SQL)",
            _f(ceil[key]["median"], 1),
            _rounds(ceil[key]["rounds"], 1),
        )
        row(
            f"ours ÷ ceiling, {n} process{'es' if n > 1 else ''}",
            _f(life[key]["median"] / ceil[key]["median"], 3),
        )
        replay = r.get("replay", {}).get(key)
        if replay:
            row(
                f"real-schema ceiling: our statements on our tables, {n} "
                f"process{'es' if n > 1 else ''} (cases/s)",
                _f(replay["median"], 1),
                _rounds(replay["rounds"], 1),
            )
            row(
                f"ours ÷ real-schema ceiling, {n} process{'es' if n > 1 else ''}",
                _f(life[key]["median"] / replay["median"], 3),
            )
    row(
        "queries per case (SELECT/INSERT/UPDATE; commits)",
        f"{q['queries']}",
        f"{q['by_kind'].get('SELECT', 0) + q['by_kind'].get('SELECT FOR UPDATE', 0)} / "
        f"{q['by_kind'].get('INSERT', 0)} / {q['by_kind'].get('UPDATE', 0)}; "
        f"{q['commits']} commits + {q['autocommit_statements']} autocommit statements",
    )
    if r.get("vanilla"):
        row("queries per case, vanilla viewflow (BEGIN/COMMIT not counted)",
            _f(r["vanilla"]["queries_per_case"]))  # fmt: skip
    for name, record in steps.items():
        row(
            f"step {name}: queries; commits; savepoints; outside a transaction",
            f"{record['queries']}",
            f"{record['commits']}; {record['by_kind'].get('SAVEPOINT', 0)}; "
            f"{record['autocommit_statements']}",
        )
    for name, label in (
        ("accept", "case start (check + accept + workflow start)"),
        ("step_decide", "one task completion (step_decide)"),
        ("step_decide_join", "completion that fires the join"),
    ):
        row(f"queries: {label}", steps[name]["queries"])
    nd = sweep["nothing_due"]
    row(
        f"sweep, nothing due, {sweep['topup']['open_steps']:,} open steps (ms)",
        _f(nd["median_ms"], 1),
        f"{len(nd['ms'])} runs",
        "< 50",
    )
    for n in (1, 2):
        s = sweep[f"sweepers_{n}"]
        row(
            f"deemed approvals/s, {n} sweeper{'s' if n > 1 else ''} "
            f"(duplicates: {s['duplicates']})",
            _f(s["median_per_s"], 1),
            _rounds([x["per_s"] for x in s["runs"]]),
            "≥ 1,000",
        )
    orders = r.get("orders")
    if orders:
        row(
            f"接诉即办 sweep, nothing due, {orders['setup']['open_orders']:,} open orders (ms)",
            _f(orders["nothing_due"]["median_ms"], 1),
            f"{len(orders['nothing_due']['ms'])} runs",
            "< 50",
        )
        for n in (1, 2):
            s = orders[f"sweepers_{n}"]
            row(
                f"overdue orders carded and chased/s, {n} sweeper{'s' if n > 1 else ''} "
                f"(duplicates: {s['duplicates']}, missed: {s['missed']})",
                _f(s["median_per_s"], 1),
                _rounds([x["per_s"] for x in s["runs"]]),
            )
    row(
        "baseline: viewflow fire_due_timers, nothing due (ms)",
        _f(sweep["timers_nothing_due"]["median_ms"], 1),
        f"{len(sweep['timers_nothing_due']['ms'])} runs",
    )
    for n in (1, 2):
        t = sweep[f"timers_{n}"]
        row(
            f"baseline: timers fired/s, {n} dispatcher{'s' if n > 1 else ''}",
            _f(t["median_per_s"], 1),
            _rounds([x["per_s"] for x in t["runs"]]),
        )
    small, large = web["queries_small"], web["queries_large"]
    for label, page in web["pages"].items():
        counts = (
            f"{_f(small.get(label, {}).get('queries'))} vs "
            f"{_f(large.get(label, {}).get('queries'))}"
        )
        if "skipped" in page:
            row(f"page {label} `{page['path']}`", "not load-tested", page["skipped"])
            row(f"page {label} queries ({small['cases']:,} vs {large['cases']:,} cases)", counts)
            continue
        row(
            f"page {label} `{page['path']}` p50 / p95 (ms)",
            f"{_f(page['p50_ms'])} / {_f(page['p95_ms'])}",
            _rounds([x["p95_ms"] for x in page["rounds"]]) + " (p95)",
            "",
        )
        base = web["pages"].get("baseline", {}).get("per_s")
        signed = web["pages"].get("signed-in empty page", {}).get("per_s")
        row(
            f"page {label} requests/s (÷ anonymous baseline; ÷ signed-in empty page)",
            f"{_f(page['per_s'])} ({_f(_ratio(page['per_s'], base), 2)}; "
            f"{_f(_ratio(page['per_s'], signed), 2)})",
            _rounds([x["per_s"] for x in page["rounds"]]),
        )
        row(f"page {label} queries ({small['cases']:,} vs {large['cases']:,} cases)", counts)
    f = web["filing"]
    row(
        "filing over HTTP (filings/s)",
        _f(f["median_per_s"]),
        _rounds([x.get("per_s") for x in f["rounds"]]),
        "≥ 200",
    )
    row("filing over HTTP p50 / p95 (ms)", f"{_f(f['median_p50_ms'])} / {_f(f['median_p95_ms'])}")
    b = web.get("bundle_filing")
    if b:  # issue 30: one application of five items (一件事) at the window
        row(
            "five-item 一件事 filed over HTTP (applications/s)",
            _f(b["median_per_s"]),
            _rounds([x.get("per_s") for x in b["rounds"]]),
        )
        row(
            "five-item 一件事 p50 / p95 (ms); statements per application "
            f"({small['cases']:,} vs {large['cases']:,} cases)",
            f"{_f(b['median_p50_ms'])} / {_f(b['median_p95_ms'])}; "
            f"{_f(small.get('bundle filing', {}).get('queries'))} vs "
            f"{_f(large.get('bundle filing', {}).get('queries'))}",
        )
    mem = web["memory"]
    row("peak RSS, gunicorn web worker (MiB)", _f(mem["gunicorn_worker_peak_rss_mib"]))
    row("peak RSS, Celery worker process (MiB)", _f(mem["celery_worker_peak_rss_mib"]))
    lines += [
        "",
        f"{web['clients']} concurrent clients against gunicorn with {web['gunicorn_workers']} "
        "sync workers; the load generator shares the machine's cores with the server and "
        "PostgreSQL. Details (every round, per-step query kinds, duplicate checks) are in "
        "latest.json.",
        "",
    ]
    if "observability" in r:
        from bench.observability import markdown as observability_markdown

        lines += [observability_markdown(r["observability"]), ""]
    return "\n".join(lines)
