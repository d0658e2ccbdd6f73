"""Korean: ISO-like, zero-padded, 24-hour (as Korean business software shows dates)."""

SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
# "2026년 12월 7일 오전 9:00": the half of the day before the hour, as Korean is written
# (Django's Korean says "9:00 오전"), in sentences such as "open again on …".
DATETIME_FORMAT = "Y년 n월 j일 A g:i"
