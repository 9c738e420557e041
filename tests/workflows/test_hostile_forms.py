"""The feedback form with a position that only looks like a number ('²' is a digit to
str.isdigit, not to int): refused naming the item, a 400 page, never a 500."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gongxin.identity import accounts, sessions
from gongxin.identity.roles import Role
from gongxin.sanctions import feedback
from gongxin.web.auth import SESSION_COOKIE
from tests.intake.helpers import AS_OF
from tests.workflows.helpers import APPROVALS, COMPANY, World, breach, run_check


def test_a_superscript_position_is_a_400_naming_the_item(world: World, client: Any) -> None:
    breach(world)
    check_id = run_check(world, APPROVALS, "licensing", COMPANY)
    with world.engine.begin() as conn:
        user = accounts.add_user(
            conn, "clerk", department=APPROVALS, roles=[Role.DEPT_CLERK],
            password="Correct-Horse-Battery-9", now=AS_OF,
        )  # fmt: skip
        new = sessions.create(conn, user, now=AS_OF, absolute=timedelta(hours=1))
    client.cookies.set(SESSION_COOKIE, new.token)
    with world.engine.connect() as conn:
        found = feedback.with_feedback(conn, check_id, department=None)
    measure = feedback.measure_ids(found["results"][0]["measures"])[0]
    form = {
        "csrf_token": new.session.csrf_token, "operator": "李经办",
        "item-0-position": "²", "item-0-measure": measure, "item-0-choice": "applied",
    }  # fmt: skip
    response = client.post(f"/admin/checks/{check_id}/feedback", data=form)
    assert response.status_code == 400
    assert "²" in response.text  # the value is named back to the clerk
    with world.engine.connect() as conn:
        after = feedback.with_feedback(conn, check_id, department=None)
    assert all(not r["feedback"] for r in after["results"])  # nothing was stored
