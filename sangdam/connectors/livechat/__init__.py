"""Live chat: the website widget and hosted chat page, over a websocket (docs/channels/live-chat.md)."""
