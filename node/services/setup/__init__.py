"""Setting a real school up from its own files: year, classes, people, load, timetable.

``sheets`` describes every sheet and column; the readers turn ``.xlsx`` and ``.csv`` files
into rows, the check finds every problem at once, and the importers write through the
other services in one transaction.
"""
