"""The Textual terminal UI for teachers, class teachers and administration (DESIGN.md §6).

Screens live in ``tui/screens/``, widgets in ``tui/widgets/``, styles in ``*.tcss``; every
action calls ``node.services`` from a thread worker. Built by the teacher-journal issue.
"""
