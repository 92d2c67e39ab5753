"""Accounts and signing in: staff and family accounts, one-time access codes and their slips
[R 3.2], password hashing and policy, sign-in throttling.
"""
