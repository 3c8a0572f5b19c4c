"""Everything about SMS through Twilio: the adapter, inbound texts and keywords,
strangers, delivery status callbacks, rendering and segments, SMS invitations."""
