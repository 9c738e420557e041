"""The operational store: SQLAlchemy Core tables, engines, dialect helpers and migrations."""
