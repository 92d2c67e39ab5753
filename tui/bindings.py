"""Key bindings in the signed-in user's language.

``BINDINGS`` are built when a module is imported, before anyone has signed in, so their
descriptions are marked with ``N_`` and translated here when a screen is made.
"""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from node.i18n import gettext


def translate_bindings(node: DOMNode) -> None:
    """Translate the descriptions of ``node``'s own bindings (call in ``__init__``)."""
    # Textual keeps a per-instance copy of the merged bindings in ``_bindings``.
    keys = node._bindings.key_to_bindings
    for key, bindings in keys.items():
        keys[key] = [
            replace(
                binding,
                description=gettext(binding.description) if binding.description else "",
                tooltip=gettext(binding.tooltip) if binding.tooltip else "",
            )
            for binding in bindings
        ]
