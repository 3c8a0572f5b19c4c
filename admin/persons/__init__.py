"""Persons: the caseload an officer works (schemas, views)."""
