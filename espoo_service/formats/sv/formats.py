# Finland-Swedish writes dates as in Finnish (30.11.2026), not Sweden's 2026-11-30.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j.n.Y"
SHORT_DATETIME_FORMAT = "j.n.Y H.i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
