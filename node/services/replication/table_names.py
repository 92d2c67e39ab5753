"""What a replicated table's row is, as a person reads it (the sync's refusals and conflicts).

Table names are the schema's words; a teacher told that the server refused a change reads
«отметка», not ``mark``. Every synced table has a name here; a table added later and
forgotten reads as «запись» (a record) rather than as its English name.
"""

from __future__ import annotations

from node.i18n import N_, gettext

#: One row of each replicated table, named.
TABLE_NAMES = {
    "school": N_("the school's data"),
    "academic_year": N_("school year"),
    "period": N_("period"),
    "holiday": N_("holiday"),
    "bell": N_("bell time"),
    "user": N_("account"),
    "guardian": N_("parent"),
    "subject": N_("subject"),
    "school_class": N_("class"),
    "student": N_("student"),
    "student_guardian": N_("a student's parent"),
    "subgroup": N_("group"),
    "subgroup_member": N_("group member"),
    "teaching_assignment": N_("journal"),
    "timetable_slot": N_("timetable lesson"),
    "plan_item": N_("line of the thematic plan"),
    "work_type": N_("work type"),
    "lesson": N_("lesson"),
    "substitution": N_("substitution"),
    "lesson_plan_item": N_("lesson topic from the plan"),
    "mark": N_("mark"),
    "attendance": N_("absence"),
    "final_mark": N_("final mark"),
    "final_mark_unlock": N_("permission to correct a final mark"),
    "history": N_("history entry"),
    "activity_log": N_("activity entry"),
    "mail_thread": N_("conversation"),
    "mail_message": N_("message"),
    "mail_participant": N_("conversation member"),
}


def table_name(table: str) -> str:
    """A row of ``table`` named in the user's language («запись» for one not listed)."""
    name = TABLE_NAMES.get(table)
    return gettext(name) if name else gettext(N_("record"))
