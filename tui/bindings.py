"""Key bindings and key names in the signed-in user's language.

``BINDINGS`` are built when a module is imported, before anyone has signed in, so their
descriptions are marked with ``N_`` and translated here when a screen is made. Bindings a
screen or widget inherits from Textual are translated under Textual's own catalog context
(tui/textual_words.py), so that Textual's «Home» never becomes ediary's home screen.

Keys are bound by their Latin letter; a teacher typing in the Russian layout sends «н» for
``y``. ``latin_key`` names the key of the same place on the keyboard, which the app tries
when no widget took the letter (tui/app.py), so bindings fire in either layout.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import _character_to_key, format_key

from node.i18n import N_, gettext, pgettext
from tui.textual_words import TEXTUAL

#: Keys shown as printed on the keyboard (the rest as Textual draws them: ↑ ⏎ ⌫ letters).
KEY_CAPS = {
    "escape": "Esc",
    "tab": "Tab",
    "home": "Home",
    "end": "End",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "delete": "Del",
    "insert": "Ins",
}
#: Keys whose name is a word to translate.
KEY_WORDS = {"space": N_("Space")}
MODIFIER_CAPS = {"shift": "Shift", "alt": "Alt", "meta": "Alt", "super": "Super"}

#: The Russian layout (ЙЦУКЕН) on the US one (QWERTY): the letters of the same key, row by
#: row, lower case then upper case («х» is ``[``, «Б» is ``<``, «ё» is the backquote).
RUSSIAN_LETTERS = "ёйцукенгшщзхъфывапролджэячсмитьбю" + "ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ"
SAME_PLACE_LATIN = "`qwertyuiop[]asdfghjkl;'zxcvbnm,." + '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>'
#: Textual's key name of a Russian letter's key in the US layout: «н» → ``y``, «х» →
#: ``left_square_bracket`` (the names bindings are stored under).
RUSSIAN_TO_LATIN_KEY = {
    russian: _character_to_key(latin)
    for russian, latin in zip(RUSSIAN_LETTERS, SAME_PLACE_LATIN, strict=True)
}


@lru_cache(maxsize=None)
def _textual_bindings(node_class: type) -> frozenset[tuple[str, str]]:
    """(action, description) of the bindings ``node_class`` inherits from Textual itself."""
    found: set[tuple[str, str]] = set()
    for base in node_class.__mro__:
        if not base.__module__.startswith("textual."):
            continue
        for item in base.__dict__.get("BINDINGS", ()):
            binding = item if isinstance(item, Binding) else Binding(*item)
            if binding.description:
                found.add((binding.action, binding.description))
    return frozenset(found)


def is_textual(node: DOMNode, binding: Binding) -> bool:
    """Whether ``binding`` is one of Textual's own (a generic key, not ediary's)."""
    return (binding.action, binding.description) in _textual_bindings(type(node))


def describe(node: DOMNode, binding: Binding) -> str:
    """``binding``'s description in the active language."""
    if not binding.description:
        return ""
    if is_textual(node, binding):
        return pgettext(TEXTUAL, binding.description)
    return gettext(binding.description)


def translate_bindings(node: DOMNode) -> None:
    """Translate the descriptions of ``node``'s own bindings (call in ``__init__``)."""
    # Textual keeps a per-instance copy of the merged bindings in ``_bindings``.
    keys = node._bindings.key_to_bindings
    for key, bindings in keys.items():
        keys[key] = [
            replace(
                binding,
                description=describe(node, binding),
                tooltip=gettext(binding.tooltip) if binding.tooltip else "",
            )
            for binding in bindings
        ]


def show_bindings(node: DOMNode, shown: dict[str, bool]) -> None:
    """Show or hide ``node``'s bindings on the footer by their id (``{"admin": True}``):
    the keys a user's roles open are the ones their footer offers. F1 lists them all."""
    keys = node._bindings.key_to_bindings
    for key, bindings in keys.items():
        keys[key] = [
            replace(binding, show=shown[binding.id]) if binding.id in shown else binding
            for binding in bindings
        ]


def key_display(binding: Binding) -> str:
    """How a key is written on screen: ^q, Shift+Tab, Esc, PgUp, F1, ↑, «Пробел»."""
    if binding.key_display:
        return binding.key_display
    modifiers, key = binding.parse_key()
    if key in KEY_WORDS:
        name = gettext(KEY_WORDS[key])
    elif key in KEY_CAPS:
        name = KEY_CAPS[key]
    elif len(key) > 1 and key[0] == "f" and key[1:].isdigit():
        name = key.upper()
    else:
        name = format_key(key)
    shown = [MODIFIER_CAPS.get(modifier, modifier) for modifier in modifiers if modifier != "ctrl"]
    return ("^" if "ctrl" in modifiers else "") + "+".join([*shown, name])


def latin_key(key: str) -> str | None:
    """The key pressed in the US layout where ``key`` (a Russian letter, modifiers kept:
    ``alt+н`` → ``alt+y``) is in the Russian one; None for any other key."""
    *modifiers, name = key.split("+")
    latin = RUSSIAN_TO_LATIN_KEY.get(name)
    if latin is None:
        return None
    return "+".join([*modifiers, latin])
