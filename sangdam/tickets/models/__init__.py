from sangdam.tickets.models.event import Event
from sangdam.tickets.models.message import (
    Attachment,
    DeliveryState,
    Direction,
    Message,
    MessageKind,
)
from sangdam.tickets.models.ticket import (
    Priority,
    Status,
    Ticket,
    TicketLink,
    Topic,
    localized_name,
)

__all__ = [
    "Attachment",
    "DeliveryState",
    "Direction",
    "Event",
    "Message",
    "MessageKind",
    "Priority",
    "Status",
    "Ticket",
    "TicketLink",
    "Topic",
    "localized_name",
]
