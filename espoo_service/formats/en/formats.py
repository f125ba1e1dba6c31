# One way to write a day and a time on every English page and in the admin: 3 Dec 2026, 10:00 (not
# Django's "Dec. 3, 2026, 10 a.m." nor "12/03/2026"). Pages leave the year out when it is this year
# (common.dates.format_day): 3 Dec, 10:00.
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
MONTH_DAY_FORMAT = "j M"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
