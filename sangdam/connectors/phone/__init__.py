"""The phone channel: Twilio-compatible voice webhooks (TwiML), calls into timeline entries."""
