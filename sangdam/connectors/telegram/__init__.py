"""Telegram Bot API channel: webhook in, Bot API out (docs/channels/telegram.md)."""
