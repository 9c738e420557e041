"""E-mail notifications: queued with each step, sent by the worker's ``outbox`` job to a local
SMTP server (aiosmtpd), kept and retried when the server cannot be reached."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from gongxin.db.workflow_tables import outbox
from gongxin.settings import Settings
from gongxin.worker import registry
from tests.intake.helpers import Store
from tests.workflows.repair_helpers import add_penalty, decide, file, filing, noon

TODAY = date(2026, 11, 23)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def settings(port: int) -> Settings:
    return Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none",
                    mail_from="credit@example.org")  # fmt: skip


def test_received_and_decided_mails_reach_the_smtp_server(
    store: Store, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    rid = add_penalty(store, 31, "2026-05-06")
    filed = file(store, filing(rid), TODAY)
    job = registry.get("outbox")
    counts = job.run(store.engine, settings(port), noon(TODAY))
    assert counts["sent"] == 1
    (received,) = inbox.messages
    assert received["To"] == "lisi@example.org" and received["From"] == "credit@example.org"
    assert filed.number in str(received["Subject"]) and "已受理" in str(received["Subject"])
    decide(store, filed.id, "granted", TODAY)
    job.run(store.engine, settings(port), noon(TODAY))
    assert "准予修复" in str(inbox.messages[-1]["Subject"])
    body = inbox.messages[-1].get_body()
    assert body is not None and "材料齐全" in body.get_content()
    assert job.run(store.engine, settings(port), noon(TODAY))["sent"] == 0  # once only


def test_a_failed_send_stays_queued_and_is_retried(store: Store, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    rid = add_penalty(store, 32, "2026-05-06")
    file(store, filing(rid), TODAY)
    job = registry.get("outbox")
    down = free_port()  # nothing listens there
    assert job.run(store.engine, settings(down), noon(TODAY)) == {"sent": 0, "failed": 1}
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(outbox)).one()
    assert (row.status, row.attempts) == ("queued", 1) and row.last_error
    # not due again at once; due after the delay
    assert job.run(store.engine, settings(port), noon(TODAY))["sent"] == 0
    later = noon(TODAY) + timedelta(minutes=5)
    assert job.run(store.engine, settings(port), later)["sent"] == 1
    assert len(inbox.messages) == 1
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(outbox.c.status)).scalar() == "sent"
