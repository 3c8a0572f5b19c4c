"""Where messages are sent: the outbox dispatcher, one lane per channel, fallback to
another channel, and which channel reaches a person."""
