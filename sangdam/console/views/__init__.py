"""Views of the agent console: thin — parse, authorize, call an action or selector, render."""
