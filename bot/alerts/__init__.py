"""Alerts to staff about escalations: who is told, on which channels, in which words.

Alerts are outbox rows (kinds "staff_alert" and "staff_digest") queued in the caller's
transaction, so "the officer has been told" is true the moment the escalation commits.
They name no person and no content: a severity, a deadline and a link to the queue.
"""
