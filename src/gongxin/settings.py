"""One typed settings object, read from the environment (prefix ``GONGXIN_``) or a .env file.

Every setting has a safe local default and a description; ``docs/settings.md`` documents each
one and a test fails when a setting is undocumented.
"""

from __future__ import annotations

import ipaddress
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOCAL_BASE_URL = "http://127.0.0.1:8000"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GONGXIN_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "test", "production"] = Field(
        default="development",
        description="运行环境 (deployment environment): development, test or production.",
    )
    database_url: str = Field(
        default="sqlite:///var/gongxin.db",
        description="数据库地址 (SQLAlchemy URL of the operational store). SQLite is the embedded "
        "default; use postgresql+psycopg://user:pass@host/db in production.",
    )
    db_pool_size: int = Field(
        default=40,
        ge=1,
        le=1000,
        description="每个进程保持的数据库连接数 (PostgreSQL connections each process keeps "
        "open once used: 40 = the web's request threads, so a busy worker never opens and "
        "closes a connection call by call; PostgreSQL's max_connections must exceed workers × "
        "(this + GONGXIN_DB_MAX_OVERFLOW) plus the worker and the tools).",
    )
    db_max_overflow: int = Field(
        default=10,
        ge=0,
        le=1000,
        description="高峰时的额外连接数 (PostgreSQL connections a process may open beyond "
        "GONGXIN_DB_POOL_SIZE at a peak; they are closed again when returned).",
    )
    var_dir: Path = Field(
        default=Path("var"),
        description="工作目录 (folder for uploads in progress and generated files such as the "
        "demo data; the database location is set by GONGXIN_DATABASE_URL).",
    )
    catalog_dir: Path | None = Field(
        default=None,
        description="本地数据集定义目录 (folder of YAML dataset specs that add to or replace the "
        "packaged ones, for this deployment).",
    )
    regimes_dir: Path | None = Field(
        default=None,
        description="本地公示期规则目录 (folder of YAML publicity regimes and selection.yaml that "
        "replace the packaged ones, for this deployment; apply to stored records with "
        "gongxin visibility recompute).",
    )
    models_dir: Path | None = Field(
        default=None,
        description="本地评价模型目录 (folder of YAML evaluation and risk models that add to or "
        "replace the packaged ones of the same code, for this deployment; see docs/evaluation.md).",
    )
    evaluation_models: list[str] = Field(
        default_factory=lambda: ["shandong_1000", "samr_risk"],
        description="定时评价的模型 (models the worker's evaluate job runs, as JSON, e.g. "
        '["shandong_1000", "samr_risk"]; [] runs none).',
    )
    evaluation_publish: list[str] = Field(
        default_factory=list,
        description="公开等级的评价模型 (models whose grades the portal's subject pages and the "
        'public API show, as JSON, e.g. ["shandong_1000"]; default none: grades stay internal '
        "to the back office and departments).",
    )
    log_level: str = Field(
        default="INFO",
        description="日志级别 (log level). The server logs at this level; commands such as "
        "gongxin ingest log warnings only, unless this is set explicitly.",
    )
    log_json: bool = Field(
        default=False, description="以 JSON 输出日志 (write logs as JSON lines, for collectors)."
    )
    analytics_engine: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description="批量分析引擎 (engine of batch jobs: duckdb, embedded, or spark).",
    )
    spark_master: str = Field(
        default="local[*]",
        description="Spark 主节点 (Spark master URL: local[*] on this machine, or spark://host:7077).",
    )
    intake_batch_rows: int = Field(
        default=5000,
        ge=100,
        le=100_000,
        description="入库批大小 (rows validated and written per batch during intake).",
    )
    intake_concurrency: int = Field(
        default=4,
        ge=1,
        le=64,
        description="同时入库文件数 (files one server process ingests at once, from the API and "
        "the back office together; a further upload is refused with 503 and Retry-After before "
        "it is read).",
    )
    check_file_concurrency: int = Field(
        default=2,
        ge=1,
        le=64,
        description="同时核查文件数 (credit checks of a file one server process runs at once from "
        "the back office; a further one is answered 503 with Retry-After and nothing is checked).",
    )
    pdf_concurrency: int = Field(
        default=4,
        ge=1,
        le=64,
        description="同时生成 PDF 数 (PDF documents one server process makes at once: credit "
        "reports, rating certificates, decision letters; a further request is answered 503 with "
        "Retry-After at once).",
    )
    upload_max_bytes: int = Field(
        default=2 * 1024**3,
        description="上传文件大小上限 (largest file accepted by POST /api/v1/submissions, bytes).",
    )
    public_base_url: str = Field(
        default=LOCAL_BASE_URL,
        description="对外访问地址 (the one public base URL of the platform, e.g. "
        "https://credit.example.gov.cn, used in every absolute link: report QR codes, open-data "
        "downloads, CKAN and DCAT; never taken from a request's Host header).",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="可信反向代理 (addresses or networks, comma-separated, of the reverse "
        "proxies whose X-Forwarded-For header is believed; from any other peer it is ignored).",
    )
    check_rate_per_minute: int = Field(
        default=60,
        ge=1,
        description="信用核查频率 (POST /api/v1/checks calls per minute per API key, and "
        "back-office credit checks, one subject or a file, per minute per user; per server "
        "process; over it: 429 with Retry-After, nothing run).",
    )
    check_export_max_age_days: int = Field(
        default=7,
        ge=1,
        le=3650,
        description="核查结果文件保留天数 (days a back-office check's result workbook is kept "
        "under var_dir/exports/checks/; older ones are removed whenever a new one is written).",
    )
    check_quota_per_day: int = Field(
        default=1_000_000,
        ge=1,
        description="信用核查日配额 (subjects per API key per China calendar day, counted in the "
        "database for all server processes; over it: 429 with Retry-After).",
    )
    check_max_subjects: int = Field(
        default=100_000,
        ge=1,
        le=1_000_000,
        description="信用核查单次主体上限 (most subjects one POST /api/v1/checks call may name; "
        "a larger call is refused with status 413 stating the limit).",
    )

    body_max_bytes: int = Field(
        default=1024**2,
        ge=1024,
        description="请求体大小上限 (largest request body of any route without its own cap, "
        "bytes: back-office forms and /admin/login, CKAN POSTs, JSON bodies; a larger one is "
        "refused with status 413 before it is read).",
    )
    check_body_max_bytes: int = Field(
        default=16 * 1024**2,
        ge=1024,
        description="信用核查请求体上限 (largest body of POST /api/v1/checks, bytes; a larger "
        "one is refused with status 413 before it is read).",
    )
    json_max_depth: int = Field(
        default=32,
        ge=4,
        le=512,
        description="JSON 嵌套层数上限 (deepest nesting of arrays and objects accepted in JSON "
        "and JSON Lines files and in JSON request bodies; deeper input is refused).",
    )
    intake_record_max_bytes: int = Field(
        default=16 * 1024**2,
        ge=1024,
        description="单条记录大小上限 (largest single record of a JSON or JSON Lines file, "
        "bytes: one line of JSON Lines, one element of a JSON array).",
    )
    xlsx_max_unzipped_bytes: int = Field(
        default=4 * 1024**3,
        ge=1024**2,
        description="XLSX 解压后大小上限 (largest total uncompressed size an XLSX file's zip "
        "may declare, bytes; a larger one is refused before it is opened).",
    )
    xlsx_max_ratio: int = Field(
        default=200,
        ge=10,
        description="XLSX 压缩比上限 (largest uncompressed/compressed ratio of any part of an "
        "XLSX file above 1 MiB; a zip bomb is refused before it is opened).",
    )
    intake_max_blank_rows: int = Field(
        default=10_000,
        ge=10,
        description="连续空行上限 (consecutive blank rows in a spreadsheet after which reading "
        "stops and the file is refused, naming the row).",
    )

    session_idle_minutes: int = Field(
        default=30,
        ge=1,
        description="后台会话空闲超时 (minutes without a request after which a back-office "
        "session ends).",
    )
    session_absolute_hours: int = Field(
        default=12,
        ge=1,
        description="后台会话最长时间 (hours after login after which a back-office session ends, "
        "however active).",
    )
    session_cookie_secure: bool = Field(
        default=False,
        description="会话 Cookie 仅经 HTTPS 发送 (mark the back-office cookies Secure; "
        "required in production).",
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="登录失败锁定阈值 (wrong passwords in a row, for one account from one client "
        "address, after which that address is locked out of that account).",
    )
    login_lockout_minutes: int = Field(
        default=15,
        ge=1,
        description="登录锁定时长 (minutes an account stays locked, for the address the wrong "
        "passwords came from, after the first lock; each further lock doubles it).",
    )
    login_lockout_max_minutes: int = Field(
        default=24 * 60,
        ge=1,
        description="登录锁定时长上限 (the longest lock, in minutes, however often it doubled).",
    )
    exchange_reply_working_days: int = Field(
        default=10,
        ge=1,
        le=60,
        description="共享申请答复期限 (working days, 调休 included, within which the provider "
        "answers a conditional-sharing request; later ones are flagged overdue).",
    )
    exchange_cursor_secret: str | None = Field(
        default=None,
        min_length=32,
        description="变更游标签名密钥 (secret of the HMAC-SHA256 that signs change-feed "
        "cursors, at least 32 characters; default: a random secret made once and kept in the "
        "database).",
    )
    exchange_page_max: int = Field(
        default=10_000,
        ge=100,
        le=100_000,
        description="共享接口单页上限 (most records or changes one exchange API page returns).",
    )
    audit_anchor_file: Path | None = Field(
        default=None,
        description="审计锚点文件 (append-only file to which gongxin audit anchor writes the "
        "signed head of the audit log, one JSON line each; keep it off the database's host).",
    )
    audit_anchor_key_file: Path | None = Field(
        default=None,
        description="审计锚点密钥文件 (file holding the secret key, at least 32 bytes, that "
        "signs the audit anchors with HMAC-SHA256; never stored in the database).",
    )

    opendata_anonymous_rate_per_minute: int = Field(
        default=30,
        ge=1,
        description="开放数据匿名访问频率 (open-data requests per minute per client address "
        "without a key, per server process).",
    )
    opendata_quota_per_day: int = Field(
        default=10_000,
        ge=1,
        description="开放数据密钥默认日配额 (default requests per day of a new open-data key).",
    )
    opendata_rate_per_minute: int = Field(
        default=120,
        ge=1,
        description="开放数据密钥默认频率 (default requests per minute of a new open-data key).",
    )
    opendata_license_id: str = Field(
        default="cc-by",
        description="开放数据许可协议代码 (CKAN license_id of the open data).",
    )
    opendata_license_title: str = Field(
        default="知识共享署名 4.0 国际 (CC BY 4.0)",
        description="开放数据许可协议名称 (title of the open-data licence).",
    )
    opendata_license_url: str = Field(
        default="https://creativecommons.org/licenses/by/4.0/",
        description="开放数据许可协议地址 (URL of the open-data licence).",
    )
    opendata_publisher: str = Field(
        default="公共信用信息中心",
        description="开放数据发布者 (publisher named in the DCAT catalog and CKAN organisation "
        "of datasets with several providers).",
    )
    opendata_contact_email: str = Field(
        default="opendata@example.org",
        description="开放数据联系邮箱 (contact e-mail of the open-data catalog).",
    )

    # -- 站点标识 branding: shown in every portal page's header and footer ----------------------
    brand_platform: str = Field(
        default="公共信用信息平台",
        max_length=60,
        description="平台名称 (platform name in every page's header and title, after the "
        "locality, e.g. 公共信用信息平台).",
    )
    brand_locality: str = Field(
        default="",
        max_length=40,
        description="地区名称 (locality the platform serves, put before the platform name, e.g. "
        "示范市; empty: none).",
    )
    brand_host: str = Field(
        default="",
        max_length=100,
        description="主办单位 (organisation running the site, in every page's footer, e.g. "
        "示范市发展和改革委员会; empty: not shown).",
    )
    brand_organiser: str = Field(
        default="",
        max_length=100,
        description="承办单位 (organisation operating the site, e.g. 示范市公共信用信息中心; "
        "empty: not shown).",
    )
    brand_phone: str = Field(
        default="", max_length=60, description="联系电话 (contact telephone in the footer)."
    )
    brand_email: str = Field(
        default="", max_length=100, description="联系邮箱 (contact e-mail in the footer)."
    )
    brand_address: str = Field(
        default="", max_length=200, description="联系地址 (postal address in the footer)."
    )
    brand_icp: str = Field(
        default="",
        max_length=60,
        description="ICP备案号 (e.g. 京ICP备12345678号, linked to beian.miit.gov.cn).",
    )
    brand_site_code: str = Field(
        default="",
        max_length=20,
        description="政府网站标识码 (government website identification code, e.g. 1100000001).",
    )
    brand_psb: str = Field(
        default="",
        max_length=60,
        description="公安备案号 (public-security filing, e.g. 京公网安备 11010502000001号, "
        "linked to beian.mps.gov.cn).",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"not an address or network: {item!r}") from None
        return value

    @field_validator("var_dir")
    @classmethod
    def _anchored(cls, value: Path) -> Path:
        """A relative folder is taken from where the process starts, once: every part of the
        process (a file URI, a subprocess, a change of folder) then sees the same one."""
        return value.absolute()

    @field_validator("public_base_url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an absolute http(s) URL: {value!r}")
        if parts.query or parts.fragment:
            raise ValueError(f"a base URL has no query nor fragment: {value!r}")
        return value.strip().rstrip("/")

    go_live_date: date | None = Field(
        default=None,
        description="平台上线日期 (go-live date, YYYY-MM-DD): licences and penalties decided "
        "before it are not judged for 双公示 timeliness (history loaded later is not late).",
    )
    worker_tick_seconds: int = Field(
        default=60,
        ge=1,
        le=3600,
        description="定时任务检查间隔 (seconds gongxin worker sleeps between looking for due "
        "jobs).",
    )
    worker_intervals: dict[str, int] = Field(
        default_factory=dict,
        description="定时任务周期 (minutes between runs per job, as JSON, e.g. "
        '{"exchange-sweep": 1440, "timeliness-cache": 60}; 0 turns a job off; jobs not '
        "named keep their default, see docs/worker.md).",
    )
    jurisdiction: str | None = Field(
        default=None,
        description="异议与信用修复规则辖区 (jurisdiction whose objection and repair deadlines "
        "apply, e.g. national, shanghai, shenzhen; default: the rules file's default).",
    )
    workflow_rules: Path | None = Field(
        default=None,
        description="异议与信用修复期限规则文件 (YAML replacing the packaged deadlines, same "
        "shape as workflows/data/deadlines.yaml).",
    )
    approval_matters: Path | None = Field(
        default=None,
        description="并联审批事项文件 (YAML replacing the packaged approval matters and credit "
        "gate, same shape as approval/data/matters.yaml).",
    )
    monitoring_rules: Path | None = Field(
        default=None,
        description="经济运行监测规则文件 (YAML replacing the packaged "
        "monitoring/data/monitoring.yaml, same shape: exits, horizons, the small-company "
        "proxy, scorecard weights, each panel's audience).",
    )
    evaluation_rules: Path | None = Field(
        default=None,
        description="行业信用评价规则文件 (YAML replacing the packaged grades, 公示 days, "
        "validity, annual reviews and revoking lists, same shape as market/data/evaluation.yaml).",
    )
    objection_public_mark: bool = Field(
        default=True,
        description="公示异议处理中标注 (show 异议处理中 on a record's public pages and as its "
        "mark in the public API while an objection against it is pending).",
    )
    attachment_max_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=1024,
        description="附件大小上限 (largest attachment of an objection or repair, bytes).",
    )
    attachment_max_count: int = Field(
        default=5, ge=1, le=50, description="附件数量上限 (attachments per application)."
    )
    lookup_rate_limit: int = Field(
        default=10,
        ge=1,
        le=10_000,
        description="查询码查询频率上限 (lookups of a 查询码 per client address and minute).",
    )
    report_issuer: str = Field(
        default="",
        max_length=100,
        description="信用报告出具机构 (the organisation that issues credit reports, printed on "
        "each report and named in its digital signature, e.g. 某某市公共信用信息中心; empty: "
        "the branding's 承办单位 GONGXIN_BRAND_ORGANISER, else the locality followed by "
        "公共信用信息中心).",
    )
    report_platform: str = Field(
        default="",
        max_length=100,
        description="信用报告所属平台 (the platform named on credit reports as their source, "
        "e.g. 信用某某; empty: the branding's locality and platform name, as every page shows "
        "it).",
    )
    report_sections_file: Path | None = Field(
        default=None,
        description="信用报告栏目顺序 (a YAML file replacing the packaged order and grouping of "
        "the report's sections, same shape as reports/data/sections.yaml).",
    )
    report_sign_key_file: Path | None = Field(
        default=None,
        description="信用报告签章私钥 (the credit centre's signing key: a PKCS#12 file .p12/.pfx "
        "holding key and certificate, or a PEM private key; default: the self-signed demo key "
        "that gongxin init makes under var_dir/report-signing/).",
    )
    report_sign_cert_file: Path | None = Field(
        default=None,
        description="信用报告签章证书 (PEM certificate of the signing key, when the key is a PEM "
        "file; not needed with PKCS#12).",
    )
    report_sign_chain_file: Path | None = Field(
        default=None,
        description="信用报告签章证书链 (PEM file of the intermediate CA certificates, embedded "
        "in each signature so that readers can build the path to a trusted root).",
    )
    report_sign_passphrase_file: Path | None = Field(
        default=None,
        description="信用报告签章口令文件 (file holding the passphrase of the key or PKCS#12 "
        "file, one line; none: the key is not encrypted).",
    )
    report_rate_per_minute: int = Field(
        default=12,
        ge=1,
        le=10_000,
        description="信用报告生成频率上限 (PDF reports generated per client address and "
        "minute, per server process; over it: 429 with Retry-After).",
    )
    filing_rate_limit: int = Field(
        default=5,
        ge=1,
        le=10_000,
        description="申请与投诉提交频率上限 (objections, repair applications and credit complaints "
        "filed per client address and minute, portal forms and API together; more get 429).",
    )
    complaint_rules: Path | None = Field(
        default=None,
        description="信用投诉规则文件 (YAML replacing the packaged complaint rules: triage and "
        "reply deadlines in working days, categories, refusal reasons, ratings and the 公示预警 "
        "thresholds; same shape as market/data/complaints.yaml).",
    )
    smtp_host: str | None = Field(
        default=None,
        description="邮件服务器 (SMTP host for notifications; none: e-mails stay queued).",
    )
    smtp_port: int = Field(default=25, ge=1, le=65535, description="邮件服务器端口 (SMTP port).")
    smtp_tls: Literal["none", "starttls", "ssl"] = Field(
        default="starttls",
        description="邮件加密方式 (none, starttls or ssl/implicit TLS).",
    )
    smtp_user: str | None = Field(default=None, description="邮件账号 (SMTP user, optional).")
    smtp_password: str | None = Field(
        default=None, description="邮件密码 (SMTP password, optional)."
    )
    mail_from: str = Field(
        default="noreply@credit.example.org",
        description="发件人地址 (sender address of notifications).",
    )

    match_key: str = Field(
        default="gongxin-development-match-key",
        min_length=16,
        description="匹配用密钥 (secret key of the keyed hash (HMAC-SHA256) under which a legal "
        "representative's identity number is kept for matching; the number itself is never "
        "stored). Changing it makes stored hashes unmatchable until the registrations are "
        "loaded again.",
    )
    linkage_model: Path | None = Field(
        default=None,
        description="本地主体匹配模型 (a YAML file replacing the packaged Splink linkage model: "
        "comparisons, probabilities and the two thresholds; see docs/linkage.md).",
    )

    warning_rules: Path | None = Field(
        default=None,
        description="本地预警规则 (a YAML file replacing the packaged warning rules: ids, legal "
        "hooks, severities, thresholds, explanation templates; see docs/linkage.md).",
    )

    trust_mark_algorithm: Literal["ed25519", "sm2"] = Field(
        default="ed25519",
        description="可信标识签名算法 (signature algorithm of trust marks: ed25519, or sm2 "
        "(GB/T 32918, with SM3) for deployments that must use 国密; badges signed before a "
        "change must be re-signed: gongxin mark resign).",
    )
    trust_mark_secret: str | None = Field(
        default=None,
        min_length=32,
        description="可信标识签名密钥种子 (secret the trust-mark signing key is derived from; "
        "none: one made at first use and kept in the database like the other instance "
        "secrets). Changing it invalidates every badge until re-signed.",
    )
    trust_mark_valid_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="可信标识有效天数 (days a newly issued trust mark is valid by default).",
    )
    trust_mark_rate_limit: int = Field(
        default=120,
        ge=1,
        le=100_000,
        description="可信标识验证频率上限 (badge, QR and verification requests per client "
        "address and minute, per server process; over it: 429 with Retry-After).",
    )
    trust_mark_rules: Path | None = Field(
        default=None,
        description="本地可信标识规则 (a YAML file replacing the packaged trust-mark rules: "
        "which lists and registration statuses suspend a badge; see docs/trust-marks.md).",
    )
    agency_quota_per_day: int = Field(
        default=1000,
        ge=1,
        le=10_000_000,
        description="征信机构默认日查询配额 (queries per agency per China day when its "
        "registration sets none; over it: 429 with Retry-After).",
    )
    agency_log_years: int = Field(
        default=5,
        ge=1,
        le=30,
        description="征信查询日志保存年限 (years an agency's query log is kept; the worker's "
        "agency-log-purge job deletes older entries).",
    )
    agency_negative_years: int = Field(
        default=5,
        ge=1,
        le=30,
        description="不良信息提供期限 (years after its event date that negative information "
        "(penalties, punishing lists) is still served to credit agencies).",
    )
    agency_rules: Path | None = Field(
        default=None,
        description="本地征信查询规则 (a YAML file replacing the packaged agency rules: "
        "purposes, agency kinds, negative datasets; see docs/credit-agencies.md).",
    )

    @model_validator(mode="after")
    def _report_names_from_branding(self) -> Settings:
        """The report's issuer and platform default to the site's branding (one name for the
        pages and the PDF); set, they override it for the reports."""
        locality, platform = self.brand_locality.strip(), self.brand_platform.strip()
        if not self.report_issuer.strip():
            organiser = self.brand_organiser.strip()
            self.report_issuer = organiser or f"{locality}公共信用信息中心"
        if not self.report_platform.strip():
            self.report_platform = f"{locality}{platform or '公共信用信息平台'}"
        return self

    @model_validator(mode="after")
    def _safe_outside_development(self) -> Settings:
        if (
            self.env == "production"
            and self.database_url.startswith("sqlite")
            and ":memory:" in (self.database_url)
        ):
            raise ValueError("production cannot run on an in-memory database")
        if self.env == "production" and not self.session_cookie_secure:
            raise ValueError("production needs GONGXIN_SESSION_COOKIE_SECURE=true (HTTPS only)")
        if self.env == "production" and self.public_base_url == LOCAL_BASE_URL:
            raise ValueError("production needs GONGXIN_PUBLIC_BASE_URL (the site's public URL)")
        if self.env == "production" and self.match_key == "gongxin-development-match-key":
            raise ValueError("production needs its own GONGXIN_MATCH_KEY")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once. Tests build their own ``Settings`` instead."""
    return Settings()
