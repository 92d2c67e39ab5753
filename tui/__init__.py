"""The Textual terminal UI for teachers, class teachers and the administration (§6 of
docs/ARCHITECTURE.md).

Screens live in ``tui/screens/``, widgets in ``tui/widgets/``, styles in ``*.tcss``; every
action calls ``node.services`` from a thread worker. Built by the teacher-journal issue.
"""
