"""Channel adapters: one per provider, all behind `ChannelAdapter`."""
