"""Korean: ISO-like, zero-padded, 24-hour (as Korean business software shows dates)."""

SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
