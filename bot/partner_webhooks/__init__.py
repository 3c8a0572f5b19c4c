"""Webhooks to partner organisations: signed events about referrals, retried with backoff."""
