"""The drill's mixed load through nginx: what the provincial platform, the departments' systems,
the public and the supervisors do at once.

- **filing**: the platform files a case (`POST /api/v1/cases/`) with an `Idempotency-Key`, and,
  as a real platform does, sends the same request again on a failure or no answer;
- **decision**: a department's system claims one of its open steps and decides it, each call
  with its own key and retried the same way;
- **lookup**: the platform reads a case it filed (`GET /api/v1/cases/<receipt>/`);
- **dashboard**: the supervision figures (`/api/v1/supervision/figures/`) and the public
  register (`/register/`), the reads the router sends to the replica.

Every request is recorded (start, end, kind, outcome, which database served a routed read), so
that `run` can say what each fault cost.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field

RETRIES = 8
RETRY_PAUSE_S = 0.5
RUNNING_PATIENCE_S = 90
TIMEOUT_S = 30
SLOW_S = 2.0
THINK_S = 0.05  # each client's pause between requests: the load is bounded, not a flood
MIX = (("filing", 3), ("decision", 2), ("lookup", 2), ("dashboard", 3))


@dataclass
class Record:
    started: float
    ended: float
    kind: str
    outcome: str  # "ok", "http 502", "refused", "timeout", ...
    read_from: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome != "ok"

    @property
    def slow(self) -> bool:
        return self.ended - self.started > SLOW_S


@dataclass
class LoadState:
    prepared: dict
    port: int
    records: list[Record] = field(default_factory=list)
    attempted: list[str] = field(default_factory=list)
    answered: dict[str, str] = field(default_factory=dict)  # filing key -> receipt number
    decided: list[int] = field(default_factory=list)
    steps: deque = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self):
        self.steps.extend(self.prepared["decision_steps"])
        random.Random(7).shuffle(self.steps)


def _call(state: LoadState, kind: str, method: str, path: str, *, key: str = "", body=None,
          token: str = "") -> tuple[int, dict, dict]:  # fmt: skip
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    started = time.monotonic()
    status, data, reply_headers, outcome = 0, {}, {}, "ok"
    connection = http.client.HTTPConnection("127.0.0.1", state.port, timeout=TIMEOUT_S)
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        status = response.status
        reply_headers = {k.lower(): v for k, v in response.getheaders()}
        if "json" in reply_headers.get("content-type", ""):
            data = json.loads(raw or b"{}")
        if status >= 500 or status == 429:
            outcome = f"http {status}"
    except ConnectionRefusedError:
        outcome = "refused"
    except TimeoutError:
        outcome = "timeout"
    except (ConnectionError, http.client.HTTPException, OSError) as error:
        outcome = type(error).__name__
    finally:
        connection.close()
    record = Record(started, time.monotonic(), kind, outcome,
                    reply_headers.get("x-hall-read-from", ""))  # fmt: skip
    with state.lock:
        state.records.append(record)
    return status, data, reply_headers


def _with_retries(state: LoadState, kind: str, method: str, path: str, **kwargs):
    """The same request (the same key) until it gets an answer that is not a failure. A 409
    "still running" on a filing (its first attempt's process died mid-request) is waited out:
    the hall lets the key be retried once the first attempt is stale."""
    deadline = time.monotonic() + RUNNING_PATIENCE_S
    attempt = 0
    while True:
        status, data, _headers = _call(state, kind, method, path, **kwargs)
        running = status == 409 and kind == "filing"
        if status and status < 500 and status != 429 and not running:
            return status, data
        attempt += 1
        if (attempt >= RETRIES and not running) or time.monotonic() > deadline:
            return 0, {}
        time.sleep(RETRY_PAUSE_S if not running else 2.0)


def filing(state: LoadState, rng: random.Random) -> None:
    key = f"drill-{uuid.uuid4()}"
    with state.lock:
        state.attempted.append(key)
    number = rng.randrange(10**8)
    status, data = _with_retries(
        state, "filing", "POST", "/api/v1/cases/", key=key, token=state.prepared["platform_key"],
        body={
            "item_code": state.prepared["item_code"],
            "answers": {"agent": "no"},
            "applicant": {"kind": "person", "name": "演练申请人", "phone": f"135{number:08d}",
                          "id_number": _id_number(number)},
        },
    )  # fmt: skip
    if status == 201:
        with state.lock:
            state.answered[key] = data["receipt_no"]


def decision(state: LoadState, rng: random.Random) -> None:
    with state.lock:
        if not state.steps:
            return
        step = state.steps.popleft()
    token = state.prepared["department_keys"][step["department"]]
    base = f"/api/v1/steps/{step['id']}"
    status, _ = _with_retries(state, "decision", "POST", f"{base}/claim/",
                              key=f"claim-{step['id']}", token=token)  # fmt: skip
    if status != 200:
        return
    status, _ = _with_retries(state, "decision", "POST", f"{base}/decision/",
                              key=f"decide-{step['id']}", token=token,
                              body={"approve": True, "opinion": "演练：符合条件。"})  # fmt: skip
    if status == 200:
        with state.lock:
            state.decided.append(step["id"])


def lookup(state: LoadState, rng: random.Random) -> None:
    with state.lock:
        receipts = list(state.answered.values())[-50:]
    if not receipts:
        return
    _call(state, "lookup", "GET", f"/api/v1/cases/{rng.choice(receipts)}/",
          token=state.prepared["platform_key"])  # fmt: skip


def dashboard(state: LoadState, rng: random.Random) -> None:
    if rng.random() < 0.5:
        _call(state, "dashboard", "GET", "/api/v1/supervision/figures/",
              token=state.prepared["platform_key"])  # fmt: skip
    else:
        _call(state, "dashboard", "GET", "/register/?q=%E5%8E%8B%E6%B5%8B")


OPERATIONS = {"filing": filing, "decision": decision, "lookup": lookup, "dashboard": dashboard}


def client(state: LoadState, seed: int) -> None:
    rng = random.Random(seed)
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    while not state.stop.is_set():
        OPERATIONS[rng.choice(kinds)](state, rng)
        time.sleep(THINK_S)


def start(state: LoadState, clients: int) -> list[threading.Thread]:
    threads = [
        threading.Thread(target=client, args=(state, n), daemon=True, name=f"client-{n}")
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    return threads


def _id_number(n: int) -> str:
    """A valid resident identity number (GB 11643 check digit), distinct per n."""
    import datetime

    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=n % 20000)
    body = f"110105{born:%Y%m%d}{(n // 20000) % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check
