"""Who acts on the platform: departments, back-office users, their sessions and roles, and
the API keys of departments' systems (with the key mechanism open-data keys share)."""
