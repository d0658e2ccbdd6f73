"""The LINE Messaging API channel: webhooks in, reply/push out (see docs/channels/line.md)."""
