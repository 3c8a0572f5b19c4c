"""Everything about Telegram: the Bot API adapter, turning updates into inbound
messages, polling, texts and buttons, and the `jolserik telegram` commands."""
