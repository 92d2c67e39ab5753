"""Administration reports [R 3.5, 6.2, 8.1, 8.2]: computed here, shown and exported elsewhere.

Each report module returns typed rows and turns them into a ``Table`` — the one shape the
CSV and HTML exports (``export``) and, later, the screens read, so every place shows the
same numbers. Reports only read; they aggregate in SQL (no query per student or lesson).
"""
