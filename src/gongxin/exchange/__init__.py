"""Departments, API keys, and (later) grants, requests, the change feed and audit."""
