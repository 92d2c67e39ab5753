"""Encrypted backups (age v1), verification, restore, year-end archives (docs/ARCHITECTURE.md §5).

Built by the backup and year-end issues on top of ``node.services``.
"""
