"""The school's structure: year, periods, holidays, bells, subjects, work types, subgroups and
the weekly timetable that generates lessons.
"""
