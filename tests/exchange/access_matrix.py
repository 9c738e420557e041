"""Who may call each route of the app: the one declaration tests/exchange/test_access_matrix.py
checks against ``create_app(...)``.

Every route (method + path template, as FastAPI lists it) maps to one of:

* ``PUBLIC`` — anyone, with or without credentials;
* a ``Scope`` — a system with a valid, unexpired, unrevoked API key carrying that scope
  (``require_scope``); nobody else;
* a frozenset of ``Role`` — a logged-in back-office user holding at least one of them
  (``require_roles``); nobody else, and never an API key.

ADDING A ROUTE? Declare it here, next to its neighbours, with the same guard its code uses.
If a path parameter needs a particular harmless value (one that matches nothing), add it to
``SAMPLES``. If calling the route as an allowed principal would change state even with an
empty body, list it in ``SIDE_EFFECTS`` and say why.
"""

from __future__ import annotations

from typing import Literal

from gongxin.identity.roles import Role, Scope

Public = Literal["public"]
Access = Public | Scope | frozenset[Role]

PUBLIC: Public = "public"
ANY_ROLE: frozenset[Role] = frozenset(Role)
CENTRE = frozenset({Role.CENTRE_ADMIN})
ADMINS = frozenset({Role.CENTRE_ADMIN, Role.DEPT_ADMIN})
AUDIT_READERS = frozenset({Role.AUDITOR, Role.CENTRE_ADMIN})
CLERKS = frozenset({Role.DEPT_CLERK, Role.DEPT_ADMIN})
RATERS = frozenset({Role.EVALUATOR, Role.CENTRE_ADMIN})  # industry evaluation rounds
RATING_READERS = RATERS | {Role.AUDITOR}
# /admin/checks: feedback/READERS (every role but the evaluating organisations' own)
CHECK_READERS = frozenset({Role.CENTRE_ADMIN, Role.AUDITOR, Role.DEPT_ADMIN, Role.DEPT_CLERK})

ACCESS: dict[tuple[str, str], Access] = {
    # operations and the API's own documentation
    ("GET", "/health"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("ANY", "/static"): PUBLIC,  # the pages' style sheets and scripts (a StaticFiles mount)
    # intake API (归集): department systems with a key
    ("POST", "/api/v1/submissions"): Scope.SUBMIT,
    ("GET", "/api/v1/submissions/{submission_id}"): Scope.SUBMIT,
    ("GET", "/api/v1/submissions/{submission_id}/rejects"): Scope.SUBMIT,
    ("GET", "/api/v1/submissions/{submission_id}/warnings"): Scope.SUBMIT,
    # public API: subjects, 双公示, report verification
    ("GET", "/api/v1/subjects"): PUBLIC,
    ("GET", "/api/v1/subjects/{code}"): PUBLIC,
    ("GET", "/api/v1/subjects/{code}/records"): PUBLIC,
    ("GET", "/api/v1/subjects/{code}/grades"): PUBLIC,
    ("GET", "/api/v1/subjects/{code}/graph"): PUBLIC,
    ("GET", "/subjects/{code}/graph"): PUBLIC,
    # 大数据监管 (gongxin.web.api.supervision): internal queues, centre admins only
    # 仿真 (gongxin.web.api.simulations): saved reports, centre admins only
    ("GET", "/api/v1/simulations"): CENTRE,
    ("GET", "/api/v1/simulations/{simulation_id}"): CENTRE,
    ("GET", "/api/v1/supervision/matches"): CENTRE,
    ("POST", "/api/v1/supervision/matches/{match_id}/decision"): CENTRE,
    ("GET", "/api/v1/supervision/warnings"): CENTRE,
    ("POST", "/api/v1/supervision/warnings/{warning_id}/decision"): CENTRE,
    ("GET", "/api/v1/shuanggongshi/{dataset}"): PUBLIC,
    ("GET", "/api/v1/shuanggongshi-timeliness"): PUBLIC,
    ("GET", "/api/v1/reports/code/{vcode}"): PUBLIC,
    ("GET", "/api/v1/reports/verify/{report_no}"): PUBLIC,
    ("POST", "/api/v1/reports/verify/{report_no}/file"): PUBLIC,
    ("GET", "/api/v1/reports/{code}.pdf"): PUBLIC,
    # 联合奖惩 (gongxin.web.api.sanctions): lists, memoranda public; checks need a key
    ("GET", "/api/v1/lists"): PUBLIC,
    ("GET", "/api/v1/lists/{list_type}/entries"): PUBLIC,
    ("GET", "/api/v1/scenes"): PUBLIC,
    ("GET", "/api/v1/memoranda"): PUBLIC,
    ("POST", "/api/v1/checks"): Scope.CHECK,
    ("GET", "/api/v1/checks/{check_id}"): Scope.CHECK,
    ("GET", "/lists"): PUBLIC,
    ("GET", "/lists/{list_type}"): PUBLIC,
    ("GET", "/memoranda"): PUBLIC,
    # 信用承诺 (gongxin.web.api.commitments): accepting departments with a commitment key
    ("POST", "/api/v1/commitments"): Scope.COMMITMENT,
    ("POST", "/api/v1/commitments/{commitment_id}/outcome"): Scope.COMMITMENT,
    ("GET", "/api/v1/commitments"): PUBLIC,
    ("GET", "/api/v1/commitments/{commitment_id}"): PUBLIC,
    ("GET", "/commitments"): PUBLIC,
    ("GET", "/commitments/{commitment_id}"): PUBLIC,
    # check feedback and statistics (gongxin.web.api.feedback): the checking department's key
    ("GET", "/api/v1/checks/stats"): Scope.CHECK,
    ("POST", "/api/v1/checks/{check_id}/feedback"): Scope.CHECK,
    ("GET", "/api/v1/checks/{check_id}/feedback"): Scope.CHECK,
    # 共享交换 (gongxin.web.api.exchange): department systems with an exchange key
    ("GET", "/api/v1/exchange/datasets"): Scope.EXCHANGE,
    ("POST", "/api/v1/exchange/requests"): Scope.EXCHANGE,
    ("GET", "/api/v1/exchange/requests"): Scope.EXCHANGE,
    ("GET", "/api/v1/exchange/requests/{request_id}"): Scope.EXCHANGE,
    ("POST", "/api/v1/exchange/requests/{request_id}/approve"): Scope.EXCHANGE,
    ("POST", "/api/v1/exchange/requests/{request_id}/refuse"): Scope.EXCHANGE,
    ("GET", "/api/v1/exchange/providers"): Scope.EXCHANGE,
    ("POST", "/api/v1/exchange/providers"): Scope.EXCHANGE,  # and the centre only (403 else)
    ("DELETE", "/api/v1/exchange/providers/{dataset}/{name}"): Scope.EXCHANGE,
    ("GET", "/api/v1/exchange/{dataset}/records"): Scope.EXCHANGE,
    ("GET", "/api/v1/exchange/evaluations/{model}/results"): Scope.EXCHANGE,
    ("GET", "/api/v1/exchange/warnings"): Scope.EXCHANGE,  # and a grant of the feed (403 else)
    ("GET", "/api/v1/exchange/{dataset}/changes"): Scope.EXCHANGE,
    # 政务信息资源目录 and data quality (gongxin.web.api.catalog): department systems
    ("GET", "/api/v1/catalog"): Scope.EXCHANGE,
    ("GET", "/api/v1/catalog/{code}"): Scope.EXCHANGE,
    ("GET", "/api/v1/catalog/{code}/quality"): Scope.EXCHANGE,
    # public portal pages
    ("GET", "/"): PUBLIC,
    ("GET", "/search"): PUBLIC,
    ("GET", "/subjects/{code}"): PUBLIC,
    ("GET", "/records/{record_id}"): PUBLIC,
    ("GET", "/shuanggongshi"): PUBLIC,
    ("GET", "/shuanggongshi/timeliness"): PUBLIC,
    ("GET", "/reports/verify"): PUBLIC,
    ("GET", "/reports/verify/{report_no}"): PUBLIC,
    # 网站可信标识 (gongxin.web.api.trust_marks, portal.trust_mark_pages, admin.trust_mark_pages):
    # anyone verifies a badge (rate limited); the centre issues and revokes
    ("GET", "/api/v1/marks/key"): PUBLIC,
    ("GET", "/api/v1/marks/{serial}"): PUBLIC,
    ("GET", "/marks/{serial}"): PUBLIC,
    ("GET", "/marks/{serial}/badge.svg"): PUBLIC,
    ("GET", "/marks/{serial}/qr.svg"): PUBLIC,
    ("GET", "/admin/marks"): CENTRE,
    ("POST", "/admin/marks"): CENTRE,
    ("GET", "/admin/marks/{serial}"): CENTRE,
    ("POST", "/admin/marks/{serial}/revoke"): CENTRE,
    # 社会化征信 (gongxin.web.api.agencies, admin.agency_pages): registered agencies with an
    # agency key (403 besides for a key of an unregistered holder); the centre manages them
    ("POST", "/api/v1/agency/queries"): Scope.AGENCY,
    ("POST", "/api/v1/agency/authorisations"): Scope.AGENCY,
    ("GET", "/api/v1/agency/statement"): Scope.AGENCY,
    ("GET", "/api/v1/agency/statement.csv"): Scope.AGENCY,
    ("GET", "/admin/agencies"): CENTRE,
    ("POST", "/admin/agencies"): CENTRE,
    ("POST", "/admin/agencies/{agency_id}/suspend"): CENTRE,
    ("POST", "/admin/agencies/{agency_id}/resume"): CENTRE,
    ("GET", "/admin/agencies/{agency_id}/statement"): CENTRE,
    ("GET", "/admin/agencies/{agency_id}/statement.csv"): CENTRE,
    # open data (gongxin.web.api.opendata, gongxin.web.portal.opendata_pages): anyone; an
    # open-data key (X-API-Key) only lifts the anonymous rate limit
    ("GET", "/opendata"): PUBLIC,
    ("GET", "/opendata/{code}.csv"): PUBLIC,
    ("GET", "/opendata/{code}.json"): PUBLIC,
    ("GET", "/catalog.ttl"): PUBLIC,
    ("GET", "/catalog.jsonld"): PUBLIC,
    ("GET", "/api/3/action/{name}"): PUBLIC,
    ("POST", "/api/3/action/{name}"): PUBLIC,
    ("GET", "/api/action/{name}"): PUBLIC,
    ("POST", "/api/action/{name}"): PUBLIC,
    # back office: accounts (gongxin.web.admin)
    ("GET", "/admin/login"): PUBLIC,
    ("POST", "/admin/login"): PUBLIC,
    ("POST", "/admin/logout"): ANY_ROLE,
    ("GET", "/admin"): ANY_ROLE,
    ("GET", "/admin/api/me"): ANY_ROLE,
    ("GET", "/admin/departments"): ADMINS,
    ("POST", "/admin/departments"): CENTRE,
    ("GET", "/admin/users"): ADMINS,
    ("POST", "/admin/users"): ADMINS,
    ("POST", "/admin/users/{username}/password"): ADMINS,
    ("POST", "/admin/users/{username}/roles"): ADMINS,
    ("POST", "/admin/users/{username}/active"): ADMINS,
    # back office: sharing requests (gongxin.web.admin.sharing)
    ("GET", "/admin/requests"): ANY_ROLE,
    ("POST", "/admin/requests/{request_id}/approve"): ADMINS,
    ("POST", "/admin/requests/{request_id}/refuse"): ADMINS,
    ("GET", "/admin/keys"): ADMINS,
    ("GET", "/admin/requests/new"): CLERKS,
    ("POST", "/admin/requests"): CLERKS,
    # back office: the clerk's daily work (gongxin.web.admin.submission_pages, unlinked_pages,
    # credit_check_pages): the department's own uploads, 待关联 records and credit checks
    ("GET", "/admin/submissions"): CLERKS | CENTRE,
    ("POST", "/admin/submissions"): CLERKS,
    ("GET", "/admin/submissions/{submission_id}"): CLERKS | CENTRE,
    ("GET", "/admin/submissions/{submission_id}/rejects.xlsx"): CLERKS | CENTRE,
    ("GET", "/admin/unlinked"): CLERKS | CENTRE,
    ("POST", "/admin/unlinked/{record_id}/link"): CLERKS | CENTRE,
    ("GET", "/admin/credit-check"): CLERKS,
    ("POST", "/admin/credit-check"): CLERKS,
    ("GET", "/admin/credit-check/{check_id}"): CLERKS,
    ("GET", "/admin/credit-check/{check_id}/workbook.xlsx"): CLERKS,
    # back office: the audit log (gongxin.web.admin.audit_pages), auditors and centre admins
    ("GET", "/admin/audit"): AUDIT_READERS,
    ("GET", "/admin/audit/export.csv"): AUDIT_READERS,
    # back office: the scheduled jobs' runs (gongxin.web.admin.job_pages), the centre's admins
    ("GET", "/admin/jobs"): CENTRE,
    ("GET", "/admin/evaluation"): CENTRE,
    # 经济运行监测: the public panels for anyone, every panel for the centre
    ("GET", "/api/v1/monitoring"): PUBLIC,
    ("GET", "/api/v1/monitoring/centre"): CENTRE,
    ("GET", "/monitoring"): PUBLIC,
    ("GET", "/monitoring/{code}.csv"): PUBLIC,
    ("GET", "/admin/monitoring"): CENTRE,
    ("GET", "/admin/monitoring/{code}.csv"): CENTRE,
    ("GET", "/admin/warnings"): CENTRE,
    ("GET", "/admin/warnings/{warning_id}"): CENTRE,
    ("POST", "/admin/warnings/{warning_id}"): CENTRE,
    ("GET", "/admin/subjects/{subject_id}/graph"): CENTRE,
    ("GET", "/admin/linkage"): CENTRE,
    ("POST", "/admin/linkage/{match_id}"): CENTRE,
    # back office: simulations of rule changes (gongxin.web.admin.simulation_pages)
    ("GET", "/admin/simulations"): CENTRE,
    ("POST", "/admin/simulations"): CENTRE,
    ("GET", "/admin/simulations/compare"): CENTRE,
    ("GET", "/admin/simulations/{simulation_id}"): CENTRE,
    # back office: the resource catalog (gongxin.web.admin.catalog), read-only for every role
    ("GET", "/admin/catalog"): ANY_ROLE,
    ("GET", "/admin/catalog/export.xlsx"): ANY_ROLE,
    ("GET", "/admin/catalog/{code}"): ANY_ROLE,
    ("POST", "/admin/catalog/{code}/providers"): CENTRE,
    # back office: check feedback and statistics (gongxin.web.admin.feedback)
    ("GET", "/admin/checks"): CHECK_READERS,
    ("GET", "/admin/checks/stats"): CHECK_READERS,
    ("GET", "/admin/checks/{check_id}"): CHECK_READERS,
    ("POST", "/admin/checks/{check_id}/feedback"): frozenset({Role.DEPT_CLERK, Role.DEPT_ADMIN}),
    ("POST", "/admin/keys"): ADMINS,
    ("POST", "/admin/keys/{prefix}/revoke"): ADMINS,
    # 异议与信用修复 (gongxin.web.api.applications, portal and back-office pages): anyone files
    # and follows by 查询码; the department's clerks (the centre's admins) decide
    ("GET", "/api/v1/records/{record_id}/repair-checklist"): PUBLIC,
    ("POST", "/api/v1/applications"): PUBLIC,
    ("POST", "/api/v1/applications/lookup"): PUBLIC,
    ("POST", "/api/v1/applications/decision.pdf"): PUBLIC,
    ("GET", "/guide/{kind}"): PUBLIC,
    ("GET", "/records/{record_id}/{kind}"): PUBLIC,
    ("POST", "/records/{record_id}/{kind}"): PUBLIC,
    ("GET", "/applications/lookup"): PUBLIC,
    ("POST", "/applications/lookup"): PUBLIC,
    ("POST", "/applications/decision.pdf"): PUBLIC,
    # 行业信用评价 (gongxin.web.api.industry_evaluations, portal and back-office pages): the
    # public reads rounds and certificates; evaluators (and the centre) run rounds, auditors read
    ("GET", "/api/v1/industry-evaluations/rounds"): PUBLIC,
    ("GET", "/api/v1/industry-evaluations/rounds/{round_id}"): PUBLIC,
    ("GET", "/api/v1/industry-evaluations/certificates/{cert_no}"): PUBLIC,
    ("GET", "/api/v1/industry-evaluations/certificates/{cert_no}.pdf"): PUBLIC,
    ("GET", "/industry-evaluations"): PUBLIC,
    ("GET", "/industry-evaluations/rounds/{round_id}"): PUBLIC,
    ("GET", "/industry-evaluations/certificates/{cert_no}"): PUBLIC,
    ("GET", "/admin/industry-evaluations"): RATING_READERS,
    ("GET", "/admin/industry-evaluations/rounds/{round_id}"): RATING_READERS,
    ("POST", "/admin/industry-evaluations/rounds"): RATERS,
    ("POST", "/admin/industry-evaluations/rounds/{target}/entries"): RATERS,
    ("POST", "/admin/industry-evaluations/rounds/{target}/publicity"): RATERS,
    ("POST", "/admin/industry-evaluations/rounds/{target}/publish"): RATERS,
    ("POST", "/admin/industry-evaluations/entries/{target}/grade"): RATERS,
    ("POST", "/admin/industry-evaluations/entries/{target}/reject"): RATERS,
    ("POST", "/admin/industry-evaluations/entries/{target}/review"): RATERS,
    ("POST", "/admin/industry-evaluations/entries/{target}/acknowledge"): RATERS,
    ("GET", "/admin/applications"): frozenset(
        {Role.CENTRE_ADMIN, Role.AUDITOR, Role.DEPT_ADMIN, Role.DEPT_CLERK}
    ),
    ("GET", "/admin/applications/stats"): frozenset(
        {Role.CENTRE_ADMIN, Role.AUDITOR, Role.DEPT_ADMIN, Role.DEPT_CLERK}
    ),
    ("GET", "/admin/applications/{app_id}"): frozenset(
        {Role.CENTRE_ADMIN, Role.AUDITOR, Role.DEPT_ADMIN, Role.DEPT_CLERK}
    ),
    ("POST", "/admin/applications/{app_id}/decide"): frozenset(
        {Role.CENTRE_ADMIN, Role.DEPT_ADMIN, Role.DEPT_CLERK}
    ),
    ("POST", "/admin/applications/{app_id}/extend"): frozenset(
        {Role.CENTRE_ADMIN, Role.DEPT_ADMIN, Role.DEPT_CLERK}
    ),
    ("POST", "/admin/applications/{app_id}/pause"): frozenset(
        {Role.CENTRE_ADMIN, Role.DEPT_ADMIN, Role.DEPT_CLERK}
    ),
    ("POST", "/admin/applications/{app_id}/resume"): frozenset(
        {Role.CENTRE_ADMIN, Role.DEPT_ADMIN, Role.DEPT_CLERK}
    ),
    # 信用投诉 (gongxin.web.api.complaints, portal and back-office pages): anyone files, follows
    # by 查询码 and rates; the company replies through its signed link; the centre triages
    ("GET", "/api/v1/complaints/rules"): PUBLIC,
    ("POST", "/api/v1/complaints"): PUBLIC,
    ("POST", "/api/v1/complaints/lookup"): PUBLIC,
    ("POST", "/api/v1/complaints/rating"): PUBLIC,
    ("POST", "/api/v1/complaints/reply"): PUBLIC,
    ("GET", "/api/v1/complaints/report"): PUBLIC,
    ("GET", "/api/v1/complaints/report.csv"): PUBLIC,
    ("GET", "/complaints"): PUBLIC,
    ("POST", "/complaints"): PUBLIC,
    ("GET", "/complaints/lookup"): PUBLIC,
    ("POST", "/complaints/lookup"): PUBLIC,
    ("POST", "/complaints/rating"): PUBLIC,
    ("GET", "/complaints/reply/{token}"): PUBLIC,
    ("POST", "/complaints/reply/{token}"): PUBLIC,
    ("GET", "/complaints/report"): PUBLIC,
    ("GET", "/admin/complaints"): AUDIT_READERS,
    ("GET", "/admin/complaints/{complaint_id}"): AUDIT_READERS,
    ("POST", "/admin/complaints/{complaint_id}/accept"): CENTRE,
    ("POST", "/admin/complaints/{complaint_id}/refuse"): CENTRE,
    ("POST", "/admin/complaints/{complaint_id}/typical"): CENTRE,
    # 并联审批 (gongxin.web.api.approval, portal and back-office pages): anyone files and follows
    # by 查询码 and reads the matters and SLA figures; the departments' clerks decide
    ("GET", "/api/v1/approval/matters"): PUBLIC,
    ("POST", "/api/v1/approval/applications"): PUBLIC,
    ("POST", "/api/v1/approval/applications/lookup"): PUBLIC,
    ("POST", "/api/v1/approval/applications/supply"): PUBLIC,
    ("GET", "/api/v1/approval/sla"): PUBLIC,
    ("GET", "/approval"): PUBLIC,
    ("GET", "/approval/apply/{matter}"): PUBLIC,
    ("POST", "/approval/apply/{matter}"): PUBLIC,
    ("GET", "/approval/lookup"): PUBLIC,
    ("POST", "/approval/lookup"): PUBLIC,
    ("GET", "/admin/approval"): frozenset(
        {Role.CENTRE_ADMIN, Role.AUDITOR, Role.DEPT_ADMIN, Role.DEPT_CLERK}
    ),
    ("GET", "/admin/approval/stats"): frozenset(
        {Role.CENTRE_ADMIN, Role.AUDITOR, Role.DEPT_ADMIN, Role.DEPT_CLERK}
    ),
    ("GET", "/admin/approval/reviews/{review_id}"): frozenset(
        {Role.CENTRE_ADMIN, Role.AUDITOR, Role.DEPT_ADMIN, Role.DEPT_CLERK}
    ),
    ("POST", "/admin/approval/reviews/{review_id}/decide"): CLERKS,
    # 产品溯源 (gongxin.web.api.trace and portal pages): public, through the gate
    ("GET", "/api/v1/trace/chain"): PUBLIC,
    ("GET", "/api/v1/trace/recall"): PUBLIC,
    ("GET", "/trace"): PUBLIC,
    ("GET", "/trace/recall"): PUBLIC,
}

SAMPLES: dict[str, str] = {
    # path parameter → a harmless value that matches nothing stored; others get "0"
    "code": "91110000000000000X",
    "username": "no-such-user",
    "prefix": "00000000",
}

SIDE_EFFECTS: dict[tuple[str, str], str] = {
    ("POST", "/admin/logout"): "ends the caller's session: called with a throwaway session",
}
