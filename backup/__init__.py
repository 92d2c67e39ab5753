"""Encrypted backups (age v1), verification, restore and year-end archives (DESIGN.md §5).

Built by the backup and year-end issues on top of ``node.services``.
"""
