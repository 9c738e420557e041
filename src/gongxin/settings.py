"""One typed settings object, read from the environment (prefix ``GONGXIN_``) or a .env file.

Every setting has a safe local default and a description; ``docs/settings.md`` documents each
one and a test fails when a setting is undocumented.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    upload_max_bytes: int = Field(
        default=2 * 1024**3,
        description="上传文件大小上限 (largest file accepted by POST /api/v1/submissions, bytes).",
    )
    check_max_subjects: int = Field(
        default=100_000,
        ge=1,
        le=1_000_000,
        description="信用核查单次主体上限 (most subjects one POST /api/v1/checks call may name; "
        "a larger call is refused with status 413 stating the limit).",
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
        description="登录失败锁定阈值 (wrong passwords in a row after which an account is locked).",
    )
    login_lockout_minutes: int = Field(
        default=15,
        ge=1,
        description="登录锁定时长 (minutes an account stays locked after too many wrong "
        "passwords).",
    )
    exchange_reply_working_days: int = Field(
        default=10,
        ge=1,
        le=60,
        description="共享申请答复期限 (working days, 调休 included, within which the provider "
        "answers a conditional-sharing request; later ones are flagged overdue).",
    )
    exchange_page_max: int = Field(
        default=10_000,
        ge=100,
        le=100_000,
        description="共享接口单页上限 (most records or changes one exchange API page returns).",
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
    opendata_base_url: str | None = Field(
        default=None,
        description="开放数据对外地址 (public base URL used in download links and the DCAT "
        "catalog, e.g. https://credit.example.gov.cn; default: the request's own).",
    )

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
