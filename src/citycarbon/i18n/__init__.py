"""Message catalogues (Babel/gettext ``.po`` files) and translation helpers.

The ``.po`` files are read directly with Babel at first use, so no compile step is needed
between editing a catalogue and running the platform.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources

from babel.messages.pofile import read_po

SUPPORTED_LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"

Translator = Callable[[str], str]


def normalise_locale(value: str | None) -> str:
    """Map user input such as ``zh-CN``, ``zh``, ``en-US`` or an Accept-Language header to a locale.

    Unknown languages fall back to :data:`DEFAULT_LOCALE`, because the platform is Chinese-first.
    """
    if not value:
        return DEFAULT_LOCALE
    for part in value.split(","):
        tag = part.split(";")[0].strip().lower().replace("-", "_")
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


@cache
def _catalogue(locale: str) -> dict[str, str]:
    if locale == "en":
        return {}
    path = resources.files("citycarbon.i18n") / "locales" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def translator(locale: str | None) -> Translator:
    """Return a function that translates an English message template into ``locale``."""
    table = _catalogue(normalise_locale(locale))
    return lambda message: table.get(message, message)


def translate(message: str, locale: str | None, **params: object) -> str:
    """Translate ``message`` into ``locale`` and fill in its ``{placeholders}``."""
    text = translator(locale)(message)
    return text.format(**params) if params else text
