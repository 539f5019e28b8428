"""Every English template the ingest package can show has a Chinese translation."""

import ast
import string
from pathlib import Path
from types import ModuleType

import pytest

import citycarbon.ingest
from citycarbon.i18n import translator
from citycarbon.ingest import headers, readers, templates

PACKAGE_DIR = Path(citycarbon.ingest.__file__).parent
MODULES: tuple[ModuleType, ...] = (headers, readers, templates)


def message_constants() -> dict[str, str]:
    found: dict[str, str] = {}
    for module in MODULES:
        found |= {name: value for name, value in vars(module).items() if name.startswith("MSG_")}
    return found


def user_facing_texts() -> set[str]:
    hints = {column.hint for columns in headers.VOCABULARY.values() for column in columns}
    guide = {templates.GUIDE_SHEET, *templates.GUIDE_HEADER, templates.YES, templates.NO}
    return set(message_constants().values()) | hints | guide


def problem_message_arguments() -> list[tuple[str, ast.expr]]:
    calls = []
    for path in sorted(PACKAGE_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem":
                calls.append((path.name, node.args[0]))
    return calls


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_every_problem_uses_a_named_message_constant() -> None:
    calls = problem_message_arguments()
    assert len(calls) >= 15
    constants = message_constants()
    for file_name, argument in calls:
        assert isinstance(argument, ast.Name), f"{file_name}: Problem() message must be a MSG_ constant"
        assert argument.id in constants, f"{file_name}: {argument.id} is not a module-level MSG_ constant"


@pytest.mark.parametrize("text", sorted(user_facing_texts()))
def test_text_has_chinese_translation_with_same_placeholders(text: str) -> None:
    translated = translator("zh_CN")(text)
    assert translated != text, f"no zh_CN translation for {text!r}"
    assert placeholders(translated) == placeholders(text)
    assert any("\u4e00" <= char <= "\u9fff" for char in translated)
