"""The house rules as code (README "The layer rule" and "House rules"): what no import contract
can say, checked over the source with `ast`, so that no rule lives in memory alone.

Each rule has a name, a one-line reason and a check of one module's tree; `house_violations()`
runs them all over `hall/`, `approvals/` and `departments/` (migrations aside). `make test` runs
`tests/house/` first, where each rule also has small tests of its own.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("hall", "approvals", "departments")
LOCK_MODULES = ("hall/cases/locks.py", "approvals/reviews/locks.py", "hall/orders/locks.py")
LOCKED_MODELS = {"Case", "CaseStep", "WorkOrder", "WorkOrderPart", "Part"}
STATUS_MODULE = "hall/cases/status.py"
WORDING_MODULE = "hall/cases/wording.py"
# The outbox's entry points: every message of the hall is queued through one of them.
MESSAGE_FUNCTIONS = {
    "notification_queue",
    "notification_build",
    "sms_queue",
    "staff_notify",
    "staff_message",
    "applicant_notify",
    "applicant_messages",
    "step_people_tell",
}
TRANSLATE = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext"}
CASE_NAME = re.compile(r"(^|_)case$")


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.rule}] {self.message}"


def _project_module(name: str | None) -> bool:
    return bool(name) and name.split(".")[0] in PACKAGES


def _chain_root(node: ast.AST) -> ast.AST:
    """The leftmost expression of `a.b().c.d()`: `a`."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        else:
            return node


def no_private_import(path: str, tree: ast.Module) -> Iterator[Violation]:
    """Another module's `_private` name is its own business: give it a public name or keep the
    caller out."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _project_module(node.module):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    yield Violation(
                        path, node.lineno, "no-private-import",
                        f"imports {node.module}.{alias.name}, a private name",
                    )  # fmt: skip


def forms_in_forms_modules(path: str, tree: ast.Module) -> Iterator[Violation]:
    """Form classes live in `forms.py`; views parse input with them and call one service."""
    if not path.endswith("views.py"):
        return
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                if ast.unparse(base).endswith("Form"):  # forms.Form, ModelForm, a form of its own
                    yield Violation(
                        path, node.lineno, "forms-in-forms-modules",
                        f"form class {node.name} in a view module",
                    )  # fmt: skip


def locks_in_lock_modules(path: str, tree: ast.Module) -> Iterator[Violation]:
    """A case's or a step's row lock is taken in one way, in one place (`case_locked`,
    `step_locked`, ...): of the row alone, in a fixed order."""
    if path in LOCK_MODULES:
        return
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "select_for_update"
        ):
            root = _chain_root(node.func.value)
            if isinstance(root, ast.Name) and root.id in LOCKED_MODELS:
                yield Violation(
                    path, node.lineno, "locks-in-lock-modules",
                    f"{root.id} row lock taken inline; use the lock modules",
                )  # fmt: skip


def status_only_in_status_function(path: str, tree: ast.Module) -> Iterator[Violation]:
    """`Case.status` changes only through `case_status_set`, which checks the transition."""
    if path == STATUS_MODULE:
        return
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "status"
                and isinstance(target.value, ast.Name)
                and CASE_NAME.search(target.value.id)
            ):
                yield Violation(
                    path, node.lineno, "status-only-in-status-function",
                    f"{target.value.id}.status assigned outside case_status_set",
                )  # fmt: skip
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
            and any(keyword.arg == "status" for keyword in node.keywords)
        ):
            root = _chain_root(node.func.value)
            if isinstance(root, ast.Name) and root.id == "Case":
                yield Violation(
                    path, node.lineno, "status-only-in-status-function",
                    "Case status updated in bulk outside case_status_set",
                )  # fmt: skip


def no_function_local_import(path: str, tree: ast.Module) -> Iterator[Violation]:
    """Imports stand at the top of the module, where the import contracts see them: a
    function-local project import hides a cycle (`AppConfig.ready()` is the one exception)."""
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if function.name == "ready" and path.endswith("apps.py"):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module] if isinstance(node, ast.ImportFrom) else [
                    alias.name for alias in node.names
                ]  # fmt: skip
                if any(_project_module(name) for name in names):
                    yield Violation(
                        path, node.lineno, "no-function-local-import",
                        f"imports {', '.join(names)} inside {function.name}()",
                    )  # fmt: skip


def _message_calls(tree: ast.Module) -> Iterator[tuple[ast.Call, dict[str, ast.expr]]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in MESSAGE_FUNCTIONS:
                yield node, {keyword.arg: keyword.value for keyword in node.keywords}


def message_kind_from_enum(path: str, tree: ast.Module) -> Iterator[Violation]:
    """A message's kind is a member of `hall.cases.wording.MessageKind`, beside its wording,
    never a free string (inboxes, figures and tests filter on it)."""
    for call, arguments in _message_calls(tree):
        kind = arguments.get("kind")
        if isinstance(kind, ast.Constant | ast.JoinedStr):
            yield Violation(
                path, call.lineno, "message-kind-from-enum",
                f"message kind {ast.unparse(kind)} is a free string; use MessageKind",
            )  # fmt: skip


def texts_in_wording(path: str, tree: ast.Module) -> Iterator[Violation]:
    """Every message's subject and body is written in `hall/cases/wording.py`, where the
    hall's voice is kept in one place (services fill in the values)."""
    if path == WORDING_MODULE:
        return
    for call, arguments in _message_calls(tree):
        for field in ("subject", "body"):
            value = arguments.get(field)
            if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mod):
                value = value.left
            literal = isinstance(value, ast.Constant | ast.JoinedStr) or (
                isinstance(value, ast.Call) and getattr(value.func, "id", None) in TRANSLATE
            )
            if literal:
                yield Violation(
                    path, call.lineno, "texts-in-wording",
                    f"message {field} written here; put it in hall/cases/wording.py",
                )  # fmt: skip


def numbers_through_int_or_none(path: str, tree: ast.Module) -> Iterator[Violation]:
    """Input that should be a number is read by `hall.platform.guard.int_or_none`: str.isdigit()
    and its kin accept "²" and other scripts' digits, which int() refuses or the database cannot
    hold (a 500 from one character)."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"isdigit", "isdecimal", "isnumeric"}
        ):
            yield Violation(
                path, node.lineno, "numbers-through-int-or-none",
                f".{node.func.attr}() accepts digits int() refuses: use int_or_none",
            )  # fmt: skip


RULES: tuple[Callable[[str, ast.Module], Iterator[Violation]], ...] = (
    no_private_import,
    forms_in_forms_modules,
    locks_in_lock_modules,
    status_only_in_status_function,
    no_function_local_import,
    message_kind_from_enum,
    texts_in_wording,
    numbers_through_int_or_none,
)


def source_violations(path: str, source: str) -> list[Violation]:
    tree = ast.parse(source, filename=path)
    return [violation for rule in RULES for violation in rule(path, tree)]


def house_violations(root: Path = ROOT) -> list[Violation]:
    found = []
    for package in PACKAGES:
        for file in sorted((root / package).rglob("*.py")):
            if "migrations" in file.parts:
                continue
            path = file.relative_to(root).as_posix()
            found.extend(source_violations(path, file.read_text(encoding="utf-8")))
    return found
