"""The large fixture: 1,000,000 cases, 1,000,000 open department steps, loaded with SQL.

Rows are written with ``INSERT … SELECT … FROM generate_series`` in a session with
``session_replication_role = replica`` (foreign-key triggers and the case-event trigger off, for
speed; every reference written points at a row that exists). What is loaded:

* 100 window-clerk owners (the bench's eight clerks and 92 more), 500,000 applicants;
* 1,000,000 cases over four five-department items: 200,000 accepted cases each with a stage, a
  decision row, a viewflow process (artifact = the case) and five NEW ``review`` tasks behind five
  OPEN department steps (so ``complete_human_task`` works on any of them, and the fifth completion
  fires the join exactly as in a live case); 700,000 closed, 50,000 received, 30,000 awaiting
  correction, 10,000 not accepted, 10,000 decided;
* one inbox notification per case for its first-contact owner (5 % unread).

Of the open steps, ``DUE_STEPS`` are past their deadline (deemable), the rest due in a year or
more. ``due_topup`` puts back the due steps a previous run drained, so a rerun measures the same
thing without reloading; the marker table ``bench_fixture`` records the loaded version.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bench import db

VERSION = 2  # 2: applicants sealed and given digests (issue 29)
NAME = "cases-1m"
CASES = 1_000_000
OPEN_CASES = 200_000  # x 5 steps = 1,000,000 open steps
DUE_STEPS = 10_000
APPLICANTS = 500_000
OWNERS = 100
STEPS_PER_CASE = 5
TIMER_NAME = "timers"

MARKER_DDL = """
CREATE TABLE IF NOT EXISTS bench_fixture (
    name text PRIMARY KEY,
    version int NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now(),
    seconds double precision NOT NULL,
    details jsonb NOT NULL DEFAULT '{}'
)
"""


@dataclass(frozen=True)
class Catalogue:
    """Ids the SQL needs: four items, each with its five steps and departments."""

    case_ct: int
    process_ct: int
    window_id: int
    items: list[int]
    lead_departments: list[int]
    steps: list[
        list[tuple[int, int, str, str]]
    ]  # per item: (approval_step, department, code, name)
    owners: list[int]


def catalogue_load(world) -> Catalogue:
    from django.contrib.contenttypes.models import ContentType

    from approvals.models import ApprovalStep
    from hall.models import Case

    items, leads, steps = [], [], []
    for item_id in world.fixture_item_ids:
        rows = list(
            ApprovalStep.objects.filter(stage__item_id=item_id)
            .select_related("department", "stage")
            .order_by("order")
        )
        items.append(item_id)
        leads.append(rows[0].stage.lead_department_id)
        steps.append([(r.pk, r.department_id, r.department.code, r.name) for r in rows])
    from viewflow.workflow.models import Process

    return Catalogue(
        case_ct=ContentType.objects.get_for_model(Case).pk,
        process_ct=ContentType.objects.get_for_model(Process).pk,
        window_id=world.window_id,
        items=items,
        lead_departments=leads,
        steps=steps,
        owners=[],
    )


def marker(conn, name: str = NAME):
    conn.execute(MARKER_DDL)
    return conn.execute(
        "SELECT version, seconds, details FROM bench_fixture WHERE name = %s", [name]
    ).fetchone()


def _base(conn, table: str) -> int:
    return conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]


def _sync_sequences(conn, tables) -> None:
    for table in tables:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"greatest((SELECT max(id) FROM {table}), 1))"
        )


def _array(values) -> str:
    return "ARRAY[" + ",".join(str(int(v)) for v in values) + "]::bigint[]"


def _text_array(values) -> str:
    return "ARRAY[" + ",".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


# Identity numbers with a valid check character (GB 11643), computed in SQL.
_ID_BODY = (
    "('110105' || to_char(date '1920-01-01' + div(n, 1000)::int, 'YYYYMMDD') "
    "|| lpad(mod(n, 1000)::text, 3, '0'))"
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = (
    "substr('10X98765432', mod(("
    + " + ".join(f"substr(body, {i + 1}, 1)::int * {w}" for i, w in enumerate(_WEIGHTS))
    + "), 11) + 1, 1)"
)


def _owners_ensure(conn, world) -> list[int]:
    """The bench's clerks plus enough unusable-password users to make OWNERS owners."""
    extra = OWNERS - len(world.clerk_ids)
    conn.execute(
        """
        INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,
                               is_staff, is_active, date_joined)
        SELECT '!', false, 'bench-owner-' || g, '窗口' || g, '压', '', false, true, now()
        FROM generate_series(1, %s) g
        ON CONFLICT (username) DO NOTHING
        """,
        [extra],
    )
    rows = conn.execute(
        "SELECT id FROM auth_user WHERE username LIKE 'bench-owner-%%' ORDER BY id"
    ).fetchall()
    return [*world.clerk_ids, *(r[0] for r in rows)][:OWNERS]


def _personal_data_seal() -> int:
    from hall.common.personal_data import rows_protect
    from hall.models import Applicant

    batches = rows_protect(
        Applicant,
        sealed=["id_number", "phone"],
        digests={"id_number_digest": "id_number", "phone_digest": "phone"},
        batch_size=5000,
    )
    return sum(rows for rows, _last_pk in batches)


def _load_applicants(conn, first_n: int) -> int:
    a0 = _base(conn, "hall_applicant")
    conn.execute(
        f"""
        INSERT INTO hall_applicant (id, kind, name, id_number, uscc, legal_representative, phone,
                                    email, created_at, phone_digest, language)
        SELECT %(a0)s + g, 'person', '申请人' || g, body || {_ID_CHECK}, NULL, '',
               '138' || lpad(mod(g, 100000000)::text, 8, '0'), '',
               now() - mod(g, 1000) * interval '1 day', '', 'zh-hans'
        FROM (SELECT g, {_ID_BODY} AS body
              FROM (SELECT g, %(n0)s + g AS n FROM generate_series(1, %(count)s) g) s) t
        """,
        {"a0": a0, "n0": first_n, "count": APPLICANTS},
    )
    return a0


_CASE_STATUS = """
    CASE WHEN m < 70 THEN 'closed' WHEN m < 75 THEN 'received'
         WHEN m < 78 THEN 'awaiting_correction' WHEN m < 79 THEN 'not_accepted'
         ELSE 'decided' END
"""


def _insert_cases(
    conn, cat: Catalogue, *, c0: int, count: int, a0: int, owners, status_sql: str, created_sql: str
) -> None:
    conn.execute(
        f"""
        INSERT INTO hall_case (id, receipt_no, verification_code, submission_key, channel, answers,
            status, materials_received_at, intake_due_date, accepted_at, accepted_on,
            deemed_accepted, promised_due_date, statutory_due_date, calendar_assumed_years,
            closed_at, created_at, updated_at, agent_id, applicant_id, item_id, owner_id,
            group_id, window_id, delivery_choice, delivery_address)
        SELECT id, 'FX' || lpad(id::text, 12, '0'), lpad(mod(id, 1000000)::text, 6, '0'),
               gen_random_uuid(), 'window', '{{"agent": "no"}}', status, created,
               CASE WHEN status = 'received' THEN (now() + interval '30 days')::date END,
               CASE WHEN accepted THEN created + interval '1 hour' END,
               CASE WHEN accepted THEN created::date END,
               accepted AND mod(g, 100) = 0,
               CASE WHEN accepted THEN (created + interval '30 days')::date END,
               CASE WHEN accepted THEN (created + interval '40 days')::date END,
               '[]',
               CASE WHEN status IN ('closed', 'not_accepted') THEN created + interval '20 days' END,
               created, created, NULL, %(a0)s + 1 + mod(g, {APPLICANTS}),
               (%(items)s)[1 + mod(g, {len(cat.items)})], (%(owners)s)[1 + mod(g, {len(owners)})],
               NULL, %(window)s, '', ''
        FROM (
            SELECT g, %(c0)s + g AS id, st AS status,
                   st IN ('accepted', 'closed', 'decided') AS accepted, cr AS created
            FROM (SELECT g, {status_sql} AS st, cr
                  FROM (SELECT g, mod(g, 80) AS m, {created_sql} AS cr
                        FROM generate_series(1, %(count)s) g) s0) s
        ) t
        """.replace("%(items)s", _array(cat.items)).replace("%(owners)s", _array(owners)),
        {"a0": a0, "c0": c0, "count": count, "window": cat.window_id},
    )


def _insert_notifications(conn, *, c0: int, count: int) -> None:
    conn.execute(
        """
        INSERT INTO hall_notification (dedupe_key, channel, recipient_address, kind, subject, body,
            sealed_secret, status, attempts, last_error, created_at, sent_at, read_at, case_id,
            recipient_user_id)
        SELECT 'fx:case:' || c.id || ':owner', 'inbox', '', 'received',
               c.receipt_no || ' 收件', '您首问负责的办件 ' || c.receipt_no || '：收件。', '',
               'pending', 0, '', c.created_at, NULL,
               CASE WHEN mod(c.id, 20) = 0 THEN NULL ELSE c.created_at + interval '1 day' END,
               c.id, c.owner_id
        FROM hall_case c WHERE c.id > %s AND c.id <= %s
        """,
        [c0, c0 + count],
    )


def _insert_open_workflows(conn, cat: Catalogue, *, c0: int, count: int, due: bool) -> None:
    """Stage, decision, process, five NEW review tasks and five OPEN steps per case c0+1..c0+count.

    Due steps fall due between 1 and ~6.5 hours ago, one case every 10 seconds, so a sweep given an
    earlier ``now`` takes a prefix of them; the others fall due 400 to 700 days from now.
    """
    s0, p0 = _base(conn, "approvals_casestage"), _base(conn, "viewflow_process")
    t0, st0 = _base(conn, "viewflow_task"), _base(conn, "approvals_casestep")
    n_items = len(cat.items)
    due_sql = (
        "now() - interval '1 hour' - (g * 10) * interval '1 second'"
        if due
        else "now() + (400 + mod(g, 300)) * interval '1 day'"
    )
    params = {"c0": c0, "count": count, "s0": s0, "p0": p0, "t0": t0, "st0": st0, "ct": cat.case_ct}
    leads = _array(cat.lead_departments)
    conn.execute(
        f"""
        INSERT INTO approvals_casestage (id, number, name, decision, opinion, case_id,
                                         lead_department_id)
        SELECT %(s0)s + g, 1, '并联审查', '', '', %(c0)s + g, ({leads})[1 + mod(g, {n_items})]
        FROM generate_series(1, %(count)s) g
        """,
        params,
    )
    conn.execute(
        """
        INSERT INTO approvals_casedecision (decision, reasons, delivery, delivery_note, issued_late,
                                            case_id, carrier, tracking_no, locker_cell,
                                            pickup_digest, revocation_reason, revocation_basis)
        SELECT '', '', '', '', false, %(c0)s + g, '', '', '', '', '', ''
        FROM generate_series(1, %(count)s) g
        """,
        params,
    )
    conn.execute(
        """
        INSERT INTO viewflow_process (id, flow_class, status, created, data,
                                      artifact_content_type_id, artifact_object_id)
        SELECT %(p0)s + g, 'approvals/flows.ApprovalFlow', 'NEW', c.accepted_at, '{}', %(ct)s, c.id
        FROM generate_series(1, %(count)s) g JOIN hall_case c ON c.id = %(c0)s + g
        """,
        params,
    )
    # Per (case g, step j): the item's j-th step; task and step ids are dense in (g, j).
    steps_values = ",".join(
        f"({i}, {j}, {step_id}, {department_id}, '{code}', '{name}')"
        for i, item_steps in enumerate(cat.steps)
        for j, (step_id, department_id, code, name) in enumerate(item_steps, start=1)
    )
    conn.execute(
        f"""
        INSERT INTO viewflow_task (id, flow_task, flow_task_type, status, created, token,
                                   process_id, data)
        SELECT %(t0)s + (g - 1) * 5 + s.j, 'approvals/flows.ApprovalFlow.review', 'HUMAN', 'NEW',
               now(), 'start/' || (%(p0)s + g) || '_' || s.j, %(p0)s + g,
               jsonb_build_object('step_id', %(st0)s + (g - 1) * 5 + s.j, 'department', s.code)
        FROM generate_series(1, %(count)s) g
        JOIN (VALUES {steps_values}) s(i, j, step_id, department_id, code, name)
          ON s.i = mod(g, {n_items})
        """,
        params,
    )
    conn.execute(
        f"""
        INSERT INTO approvals_casestep (id, name, "order", promised_days, deemed_approval, status,
            opened_at, opened_on, due_date, due_at, warn_on, calendar_assumed_years, opinion, late,
            written_opinion, written_opinion_late, approval_step_id, case_id, case_stage_id,
            department_id, task_id)
        SELECT %(st0)s + (g - 1) * 5 + s.j, s.name, s.j - 1, 10, true, 'open',
               now() - interval '14 days', (now() - interval '14 days')::date,
               d.due::date, d.due, d.due::date - 2, '[]', '', false, '', false,
               s.step_id, %(c0)s + g, %(s0)s + g, s.department_id, %(t0)s + (g - 1) * 5 + s.j
        FROM generate_series(1, %(count)s) g
        CROSS JOIN LATERAL (SELECT {due_sql} AS due) d
        JOIN (VALUES {steps_values}) s(i, j, step_id, department_id, code, name)
          ON s.i = mod(g, {n_items})
        """,
        params,
    )


def _open_cases(conn, cat, *, count: int, a0: int, owners, due: bool) -> None:
    c0 = _base(conn, "hall_case")
    _insert_cases(
        conn,
        cat,
        c0=c0,
        count=count,
        a0=a0,
        owners=owners,
        status_sql="'accepted'",
        created_sql="now() - interval '14 days' - mod(g, 1000) * interval '1 minute'",
    )
    _insert_open_workflows(conn, cat, c0=c0, count=count, due=due)
    _insert_notifications(conn, c0=c0, count=count)


def fixture_ensure(world, log=print) -> dict:
    """Load the fixture unless the marker says this version is there. Returns what it did."""
    import json

    with db.connect(autocommit=True) as conn:
        found = marker(conn)
        if found and found[0] == VERSION:
            return {"loaded": False, "seconds": found[1], **found[2]}
        if found:
            raise SystemExit(
                f"bench database holds fixture version {found[0]}, this bench expects {VERSION}: "
                f"drop the database {db.env.DB_NAME} and run again"
            )
    cat = catalogue_load(world)
    timings = {}
    started = time.perf_counter()
    with db.connect() as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET maintenance_work_mem = '256MB'")
        owners = _owners_ensure(conn, world)
        cat = Catalogue(**{**cat.__dict__, "owners": owners})

        def timed(label, fn, *args, **kwargs):
            t = time.perf_counter()
            fn(*args, **kwargs)
            conn.commit()
            timings[label] = round(time.perf_counter() - t, 1)
            log(f"  fixture: {label} {timings[label]} s")

        a0_holder = {}
        timed("applicants", lambda: a0_holder.setdefault("a0", _load_applicants(conn, 10_000_000)))
        a0 = a0_holder["a0"]
        other = CASES - OPEN_CASES
        not_due = OPEN_CASES - DUE_STEPS // STEPS_PER_CASE
        c0 = _base(conn, "hall_case")
        timed(
            "cases (other statuses)",
            _insert_cases,
            conn,
            cat,
            c0=c0,
            count=other,
            a0=a0,
            owners=owners,
            status_sql=_CASE_STATUS,
            created_sql="now() - interval '20 days' - mod(g, 1000) * interval '1 day'",
        )
        timed("notifications (other)", _insert_notifications, conn, c0=c0, count=other)
        timed(
            "open cases, steps, processes, tasks",
            _open_cases,
            conn,
            cat,
            count=not_due,
            a0=a0,
            owners=owners,
            due=False,
        )
        _sync_sequences(
            conn,
            [
                "hall_applicant",
                "hall_case",
                "hall_notification",
                "approvals_casestage",
                "approvals_casedecision",
                "viewflow_process",
                "viewflow_task",
                "approvals_casestep",
                "auth_user",
            ],
        )
        conn.execute(
            "INSERT INTO bench_fixture (name, version, seconds, details) VALUES (%s, %s, 0, %s) "
            "ON CONFLICT (name) DO NOTHING",
            ["applicants", VERSION, json.dumps({"a0": a0})],
        )
        conn.commit()
    # The fixture writes applicants in clear, as an older release did: sealing them is the
    # migration of existing clear data (`manage.py personal_data_protect`), timed at this size.
    t = time.perf_counter()
    timings["personal data sealed (rows)"] = _personal_data_seal()
    timings["personal data sealed"] = round(time.perf_counter() - t, 1)
    log(
        f"  fixture: personal data sealed, {timings['personal data sealed (rows)']} applicants "
        f"in {timings['personal data sealed']} s"
    )
    with db.connect(autocommit=True) as conn:
        t = time.perf_counter()
        conn.execute("VACUUM (ANALYZE)")
        timings["vacuum analyze"] = round(time.perf_counter() - t, 1)
        log(f"  fixture: vacuum analyze {timings['vacuum analyze']} s")
        seconds = round(time.perf_counter() - started, 1)
        details = {
            "timings": timings,
            "cases": CASES - DUE_STEPS // STEPS_PER_CASE,
            "open_steps": not_due * STEPS_PER_CASE,
        }
        conn.execute(
            "INSERT INTO bench_fixture (name, version, seconds, details) VALUES (%s, %s, %s, %s)",
            [NAME, VERSION, seconds, json.dumps(details)],
        )
    return {"loaded": True, "seconds": seconds, **details}


def due_topup(world) -> dict:
    """Make DUE_STEPS open deemable steps past their deadline again (whole cases of five)."""
    cat = catalogue_load(world)
    started = time.perf_counter()
    with db.connect() as conn:
        due = conn.execute(
            "SELECT count(*) FROM approvals_casestep WHERE status = 'open' AND deemed_approval "
            "AND due_at <= now()"
        ).fetchone()[0]
        missing = max(0, DUE_STEPS - due)
        cases = -(-missing // STEPS_PER_CASE)
        if cases:
            conn.execute("SET session_replication_role = replica")
            a0 = conn.execute(
                "SELECT (details->>'a0')::bigint FROM bench_fixture WHERE name = 'applicants'"
            ).fetchone()[0]
            owners = _owners_ensure(conn, world)
            _open_cases(conn, cat, count=cases, a0=a0, owners=owners, due=True)
            _sync_sequences(
                conn,
                [
                    "hall_case",
                    "hall_notification",
                    "approvals_casestage",
                    "approvals_casedecision",
                    "viewflow_process",
                    "viewflow_task",
                    "approvals_casestep",
                ],
            )
        conn.commit()
        if cases:
            conn.execute("ANALYZE approvals_casestep")
            conn.commit()
        counts = conn.execute(
            "SELECT count(*) FILTER (WHERE due_at <= now()), count(*) FROM approvals_casestep "
            "WHERE status = 'open'"
        ).fetchone()
    return {
        "added_cases": cases,
        "seconds": round(time.perf_counter() - started, 2),
        "due_steps": counts[0],
        "open_steps": counts[1],
    }
