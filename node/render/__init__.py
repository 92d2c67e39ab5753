"""HTML for people to print and keep: services return data, this package lays it out.

Jinja2 templates (autoescaped) for the report exports, the access-code slips and the year
archive's pages. It sits between the core and the outer parts (the CLI, the TUI, backup):
the core stays headless, and every printable page is made in one place.
"""
