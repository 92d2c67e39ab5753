"""Internal mail: threads, their messages, and who takes part with what read state.

A thread is written to people and groups ("all parents of 7Б"); groups are expanded to users
when the message is sent (one ``MailParticipant`` each), and the groups themselves are kept
on the thread (``groups``: JSON list of ``{"kind", "id"}``) so the thread still reads "All
parents of 7Б" in each reader's language. ``last_message_at``/``last_author`` repeat the
newest message so an inbox is one indexed query; a participant's thread is unread while its
``last_message_at`` is later than the participant's ``last_read_at``.
"""

from __future__ import annotations

import peewee as pw

from node.models.base import Reach, SyncModel
from node.models.people import User

#: "message" between people, "summary" a class teacher's progress summary, "help" a request
#: to the system administrators [R 7.1].
THREAD_KINDS = ("message", "summary", "help")


class MailThread(SyncModel):
    reach = Reach.OWN_RULE

    subject = pw.TextField()
    kind = pw.TextField(default="message")
    created_by = pw.ForeignKeyField(User, backref="mail_threads_started", index=False)
    created_at = pw.DateTimeField()
    groups = pw.TextField(default="[]")
    last_message_at = pw.DateTimeField()
    last_author = pw.ForeignKeyField(User, null=True, index=False)

    class Meta:
        table_name = "mail_thread"


class MailMessage(SyncModel):
    reach = Reach.THREAD

    thread = pw.ForeignKeyField(MailThread, backref="messages", on_delete="CASCADE", index=False)
    author = pw.ForeignKeyField(User, backref="mail_messages", index=False)
    body = pw.TextField()
    sent_at = pw.DateTimeField()

    class Meta:
        table_name = "mail_message"
        indexes = ((("thread", "sent_at"), False),)


class MailParticipant(SyncModel):
    """One user in one thread. ``direct`` is False for users reached through a group, so the
    thread is labelled by the group rather than by thirty parents' names."""

    reach = Reach.THREAD

    thread = pw.ForeignKeyField(
        MailThread, backref="participants", on_delete="CASCADE", index=False
    )
    user = pw.ForeignKeyField(User, backref="mail_participations", index=False)
    direct = pw.BooleanField(default=True)
    last_read_at = pw.DateTimeField(null=True)

    class Meta:
        table_name = "mail_participant"
        indexes = (
            (("thread", "user"), True),
            (("user",), False),
        )
