"""The restore drill's steps inside Django (issue 29; README, "Personal data and records"):

python -m bench.drill.restoreside world          the bench's departments, staff and item
python -m bench.drill.restoreside load SECONDS   drive whole cases for SECONDS; a JSON line
                                                 per committed case (receipt, events, when)
python -m bench.drill.restoreside state          what this database holds: cases with their
                                                 events, files with their checksums, chains
"""

from __future__ import annotations

import hashlib
import json
import sys
import time


def _setup() -> None:
    import django

    django.setup()


def world() -> dict:
    from bench.world import world_ensure

    built = world_ensure()
    return {"item_id": built.item_id}


def load(seconds: float) -> None:
    """Whole cases one after another (filing to delivery, with their notices' PDFs), chaining
    the logs as the minute sweep would, each committed case reported the moment it commits."""
    from bench.lifecycle import case_run, lifecycle_prepare
    from bench.world import world_ensure
    from hall.cases import rendering
    from hall.models import Case, CaseEvent, Notice
    from hall.platform import chains

    life = lifecycle_prepare(world_ensure(), 0)
    deadline = time.monotonic() + seconds
    number = 30_000_000
    while time.monotonic() < deadline:
        number += 1
        started = time.time()
        case_id = case_run(life, number)
        for notice_id in Notice.objects.filter(case_id=case_id).values_list("pk", flat=True):
            rendering.notice_render(notice_id=notice_id)
        chains.chains_extend()
        case = Case.objects.get(pk=case_id)
        line = {
            "receipt_no": case.receipt_no,
            "events": CaseEvent.objects.filter(case_id=case_id).count(),
            "started": started,
            "committed": time.time(),
        }
        print(json.dumps(line), flush=True)


def state() -> dict:
    from django.core.files.storage import default_storage
    from django.db.models import Count

    from hall.models import Case, CaseEvent, Notice
    from hall.platform import chains

    events = dict(
        CaseEvent.objects.values_list("case__receipt_no").order_by().annotate(n=Count("pk"))
    )
    files = {"present": 0, "missing": [], "changed": []}
    for notice in Notice.objects.exclude(pdf="").only("pk", "pdf", "sha256", "number"):
        if not default_storage.exists(notice.pdf.name):
            files["missing"].append(notice.number)
            continue
        with default_storage.open(notice.pdf.name, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        if notice.sha256 and digest != notice.sha256:
            files["changed"].append(notice.number)
        else:
            files["present"] += 1
    breaks = {
        name: (str(found) if (found := chains.chain_verify(name=name)) else None)
        for name in chains.CHAINED_MODELS
    }
    return {
        "cases": sorted(Case.objects.values_list("receipt_no", flat=True)),
        "events": events,
        "files": files,
        "chains": breaks,
    }


def main(argv: list[str]) -> None:
    _setup()
    command = argv[0]
    if command == "world":
        print(json.dumps(world()))
    elif command == "load":
        load(float(argv[1]))
    elif command == "state":
        print(json.dumps(state()))
    else:
        raise SystemExit(f"unknown step {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
