# Finland-Swedish writes days and clock times as in Finnish (3.12.2026 kl. 10.00), not as in Sweden
# (2026-12-03 10:00). Pages leave the year out when it is this year (common.dates.format_day).
DATE_FORMAT = "j.n.Y"
SHORT_DATE_FORMAT = "j.n.Y"
MONTH_DAY_FORMAT = "j.n."
TIME_FORMAT = "H.i"
DATETIME_FORMAT = r"j.n.Y \k\l. H.i"
SHORT_DATETIME_FORMAT = r"j.n.Y \k\l. H.i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
