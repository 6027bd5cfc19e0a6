"""Every event action the code records has a Chinese label for the case logs."""

import pathlib
import re

from hall.events import EVENT_LABELS

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_every_recorded_action_has_a_label():
    recorded = set()
    for app in ("hall", "approvals", "departments"):
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for call in re.finditer(r"event_record\((.*?)\)\n", text, flags=re.S):
                recorded.update(re.findall(r'action="([a-z_]+)"', call.group(1)))
    assert recorded, "no event_record calls found"
    assert recorded - set(EVENT_LABELS) == set()
