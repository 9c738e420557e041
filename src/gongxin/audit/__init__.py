"""The append-only, hash-chained audit log (``log``) and how auditors read it (``query``)."""
