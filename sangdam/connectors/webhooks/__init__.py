"""The webhook door: ``/hooks/<kind>/<channel key>`` for every provider that calls us.

``views.hook`` verifies on the raw body, stores an :class:`InboundEvent` unique on the
provider's event id and answers at once; ``tasks.process_inbound_event`` turns the event
into messages (through the intake) and delivery receipts (through the receipt action).
"""
