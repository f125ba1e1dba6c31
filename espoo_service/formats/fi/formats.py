# One way to write a day and a time on every Finnish page and in the admin: 3.12.2026 klo 10.00.
# Pages leave the year out when it is this year (common.dates.format_day): 3.12. klo 10.00.
DATE_FORMAT = "j.n.Y"
SHORT_DATE_FORMAT = "j.n.Y"
MONTH_DAY_FORMAT = "j.n."
# Django's Finnish locale writes 9.00; the city's pages write clock times with two digits, 09.00.
TIME_FORMAT = "H.i"
DATETIME_FORMAT = r"j.n.Y \k\l\o H.i"
SHORT_DATETIME_FORMAT = r"j.n.Y \k\l\o H.i"
