"""Domain operations: every write and every permission check goes through here.

Services take the acting user (``Actor``) and plain arguments, check permission, validate,
write inside one transaction, record history, and return dataclasses or models. They raise
``node.errors`` exceptions with messages in the active language, and never print.

They are grouped by domain over a small ``base`` (actor, clock, lookup, permissions, history,
policy, activity log). Each domain imports only the base and the domains below it, as the
import-linter contract «service-domains» in setup.cfg checks:

    demo | year_end                      build a demo school; close and roll over the year
    reports | replication                the administration's reports; laptops and conflicts
    messaging                            internal mail
    gradebook                            the journal, marks, finals, plan, a family's diary
    students                             classes, class lists, profiles, guardians, class codes
    school | access | health             structure and timetable; accounts; node status
    base
"""
