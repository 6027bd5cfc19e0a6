"""Where one case's time goes: every statement of every lifecycle step, and a profile.

``python -m bench.trace`` (after ``make bench`` has built the world) writes, beside the results,
``lifecycle-statements.txt`` (each step's statements in order, marked by transaction, savepoint
and autocommit) and ``profile-lifecycle.txt`` / ``.html`` (pyinstrument over a few cases). The
bench run calls the same functions, so the files always describe the figures next to them.
"""

from __future__ import annotations

import re
from collections import Counter

from bench import env
from bench.lifecycle import _kind as lifecycle_kind

_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+\b")


def _shape(sql: str) -> str:
    """The statement without its values, cut to a readable length."""
    text = " ".join(_LITERALS.sub("?", sql).split())
    return text if len(text) <= 160 else text[:157] + "..."


class StatementLog:
    """Every statement the connection sends, with where it ran (transaction or autocommit)."""

    def __init__(self):
        self.steps: dict[str, list[tuple[str, str]]] = {}

    def __call__(self, name: str):
        from contextlib import contextmanager

        from django.db import connection

        @contextmanager
        def recording():
            lines: list[tuple[str, str]] = []

            def wrapper(execute, sql, params, many, context):
                where = "tx" if connection.in_atomic_block else "AUTOCOMMIT"
                lines.append((where, _shape(sql)))
                return execute(sql, params, many, context)

            original_commit = connection.commit

            def commit():
                lines.append(("tx", "COMMIT"))
                return original_commit()

            connection.commit = commit
            try:
                with connection.execute_wrapper(wrapper):
                    yield
            finally:
                del connection.commit
            self.steps[name] = lines

        return recording()

    def text(self) -> str:
        out = []
        total = Counter()
        for name, lines in self.steps.items():
            kinds = Counter(_kind(sql) for _, sql in lines)
            total.update(kinds)
            summary = ", ".join(f"{k} {n}" for k, n in kinds.most_common())
            out.append(f"## {name}: {len(lines)} statements ({summary})")
            out.extend(f"  {where:10} {sql}" for where, sql in lines)
            out.append("")
        summary = ", ".join(f"{k} {n}" for k, n in total.most_common())
        out.insert(0, f"# one case: {sum(total.values())} statements ({summary})\n")
        return "\n".join(out) + "\n"


def _kind(sql: str) -> str:
    if not sql:
        return "?"
    kind = lifecycle_kind(sql)
    return "RELEASE SAVEPOINT" if kind == "RELEASE" else kind


def statements_write(world, applicant_no: int) -> str:
    """Run one recorded case (after a warm-up case) and write its statements."""
    from bench import lifecycle

    life = lifecycle.lifecycle_prepare(world, 0)
    lifecycle.case_run(life, applicant_no)
    log = StatementLog()
    lifecycle.case_run(life, applicant_no + 1, on_step=log)
    path = env.RESULTS / "lifecycle-statements.txt"
    path.write_text(log.text())
    return str(path.relative_to(env.ROOT))


def profile_write(world, applicant_no: int, cases: int = 8) -> list[str]:
    """Profile ``cases`` lifecycles in this process (after one warm-up) with pyinstrument."""
    from pyinstrument import Profiler

    from bench import lifecycle

    life = lifecycle.lifecycle_prepare(world, 0)
    lifecycle.case_run(life, applicant_no)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for n in range(cases):
        lifecycle.case_run(life, applicant_no + 1 + n)
    profiler.stop()
    text = env.RESULTS / "profile-lifecycle.txt"
    html = env.RESULTS / "profile-lifecycle.html"
    text.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    html.write_text(profiler.output_html())
    return [str(p.relative_to(env.ROOT)) for p in (text, html)]


def main() -> int:
    env.django_setup()
    from bench.run import Applicants
    from bench.world import world_ensure

    world = world_ensure()
    applicants = Applicants()
    print(statements_write(world, applicants.block(3)))
    print(*profile_write(world, applicants.block(12)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
