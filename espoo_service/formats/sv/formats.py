# Finland-Swedish writes dates and clock times as in Finnish (30.11.2026, 09.00), not as in Sweden (2026-11-30, 09:00).
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j.n.Y"
SHORT_DATETIME_FORMAT = "j.n.Y H.i"
TIME_FORMAT = "H.i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
