"""Every user-facing message template in the package has a Chinese translation."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from citycarbon.i18n import translator

SRC = Path(__file__).resolve().parents[1] / "src" / "citycarbon"
PLACEHOLDER = re.compile(r"\{(\w+)")


def message_constants() -> dict[str, str]:
    """Module-level ``MSG_*`` string constants of every module, keyed by module:name."""
    found = {}
    for path in SRC.rglob("*.py"):
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    is_message = isinstance(target, ast.Name) and target.id.startswith("MSG_")
                    if is_message and isinstance(node.value.value, str):
                        found[f"{path.relative_to(SRC)}:{target.id}"] = node.value.value
    return found


def test_there_are_messages_to_check() -> None:
    assert len(message_constants()) > 30


def test_every_message_constant_is_translated_with_the_same_placeholders() -> None:
    zh = translator("zh_CN")
    missing = {name: text for name, text in message_constants().items() if zh(text) == text}
    assert not missing, f"add zh_CN translations to messages.po for: {missing}"
    for text in message_constants().values():
        assert set(PLACEHOLDER.findall(zh(text))) == set(PLACEHOLDER.findall(text)), text
