"""E-mail notifications through an outbox: a message is queued in the transaction of the step it
tells (received, deadline near, decided) and sent later by the worker's ``outbox`` job over SMTP
(GONGXIN_SMTP_*). A failed send stays queued with its error and is tried again with a growing
delay; nothing is deleted, so no message is lost."""

from __future__ import annotations

import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa

from gongxin.db.workflow_tables import outbox
from gongxin.settings import Settings

BATCH = 100
MAX_DELAY = timedelta(hours=6)


def queue(
    conn: sa.Connection,
    to: str | None,
    subject: str,
    body: str,
    *,
    now: datetime,
    application_id: int | None = None,
) -> None:
    if not to:
        return
    conn.execute(
        outbox.insert().values(
            to_addr=to,
            subject=subject[:300],
            body=body,
            application_id=application_id,
            status="queued",
            attempts=0,
            created_at=now,
            next_try_at=now,
        )
    )


def _send(settings: Settings, message: EmailMessage) -> None:
    host = settings.smtp_host
    assert host is not None
    if settings.smtp_tls == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(
            host, settings.smtp_port, context=ssl.create_default_context(), timeout=30
        )
    else:
        server = smtplib.SMTP(host, settings.smtp_port, timeout=30)
    with server:
        if settings.smtp_tls == "starttls":
            server.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            server.login(settings.smtp_user, settings.smtp_password or "")
        server.send_message(message)


def send_due(engine: sa.Engine, settings: Settings, now: datetime) -> dict[str, int]:
    """Send the queued messages that are due; each is marked sent in its own transaction."""
    counts = {"sent": 0, "failed": 0}
    if not settings.smtp_host:
        return counts | {"waiting": 0}
    with engine.connect() as conn:
        due = conn.execute(
            sa.select(outbox)
            .where(outbox.c.status == "queued", outbox.c.next_try_at <= now)
            .order_by(outbox.c.id)
            .limit(BATCH)
        ).all()
    for row in due:
        message = EmailMessage()
        message["From"] = settings.mail_from
        message["To"] = row.to_addr
        message["Subject"] = row.subject
        message.set_content(row.body)
        try:
            _send(settings, message)
        except (OSError, smtplib.SMTPException) as exc:
            delay = min(timedelta(minutes=2 ** min(row.attempts, 12)), MAX_DELAY)
            with engine.begin() as conn:
                conn.execute(
                    outbox.update()
                    .where(outbox.c.id == row.id)
                    .values(
                        attempts=row.attempts + 1,
                        last_error=str(exc)[:500],
                        next_try_at=now + delay,
                    )
                )
            counts["failed"] += 1
            continue
        with engine.begin() as conn:
            conn.execute(
                outbox.update()
                .where(outbox.c.id == row.id)
                .values(status="sent", sent_at=now, attempts=row.attempts + 1, last_error=None)
            )
        counts["sent"] += 1
    return counts
