"""Inbound events: stored by the webhooks as they come (group commit), processed in order
per sender by the processor."""
