"""The small base every domain stands on: the acting user, the clock and the school's time zone,
lookups, the one permission module, history, school policy and the activity log [R 8.1].
"""
