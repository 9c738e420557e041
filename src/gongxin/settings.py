"""One typed settings object, read from the environment (prefix ``GONGXIN_``) or a .env file.

Every setting has a safe local default and a description; ``docs/settings.md`` documents each
one and a test fails when a setting is undocumented.
"""

from __future__ import annotations

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
    log_level: str = Field(
        default="INFO",
        description="日志级别 (log level). The server logs at this level; commands such as "
        "gongxin ingest log warnings only, unless this is set explicitly.",
    )
    log_json: bool = Field(
        default=False, description="以 JSON 输出日志 (write logs as JSON lines, for collectors)."
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

    @model_validator(mode="after")
    def _safe_outside_development(self) -> Settings:
        if (
            self.env == "production"
            and self.database_url.startswith("sqlite")
            and ":memory:" in (self.database_url)
        ):
            raise ValueError("production cannot run on an in-memory database")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once. Tests build their own ``Settings`` instead."""
    return Settings()
