"""Where it is decided what to say: an inbound message is stored, its person and
conversation found, the pure flow run, its effects applied and its replies queued."""
