"""Domain operations: every write and every permission check goes through here.

Services take the acting user (``Actor``) and plain arguments, check permission, validate,
write inside one transaction, record history, and return dataclasses or models. They raise
``node.errors`` exceptions with messages in the active language, and never print.
"""
