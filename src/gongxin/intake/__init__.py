"""Intake: reading, mapping and checking the files departments deliver."""
