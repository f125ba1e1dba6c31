"""Host locations, advisors and a demo plan for `load_espoo_data`.

Library positions for Sello, Entresse and Iso Omena come from the city; the rest are
estimates, loaded with `location_is_approximate` set for an administrator to correct on the map.
"""

LANGUAGES = [
    # code, fi, sv, en
    ("fi", "suomi", "finska", "Finnish"),
    ("sv", "ruotsi", "svenska", "Swedish"),
    ("en", "englanti", "engelska", "English"),
    ("ru", "venäjä", "ryska", "Russian"),
    ("et", "viro", "estniska", "Estonian"),
    ("ar", "arabia", "arabiska", "Arabic"),
    ("so", "somali", "somaliska", "Somali"),
]

LIBRARY_HOURS = [(day, "10:00", "20:00") for day in range(5)] + [(5, "10:00", "16:00")]
SHOPPING_HOURS = [(day, "09:00", "21:00") for day in range(6)] + [(6, "12:00", "18:00")]
CENTRE_HOURS = [(day, "08:00", "16:00") for day in range(5)]

VENUES = [
    # key, kind, (fi, sv, en), address (fi, sv), postal code, (lat, lon, approximate), area, hours
    (
        "sello-library",
        "library",
        ("Sellon kirjasto", "Sellobiblioteket", "Sello library"),
        ("Leppävaarankatu 9", "Albergagatan 9"),
        "02600",
        (60.21748, 24.80992, False),
        "suur-leppavaara",
        LIBRARY_HOURS,
    ),
    (
        "entresse-library",
        "library",
        ("Entressen kirjasto", "Entressebiblioteket", "Entresse library"),
        ("Siltakatu 11", "Brogatan 11"),
        "02770",
        (60.203636, 24.657864, False),
        "vanha-espoo",
        LIBRARY_HOURS,
    ),
    (
        "iso-omena-library",
        "library",
        ("Ison Omenan kirjasto", "Iso Omena-biblioteket", "Iso Omena library"),
        ("Piispansilta 11", "Biskopsbron 11"),
        "02230",
        (60.1618, 24.7377, False),
        "suur-matinkyla",
        LIBRARY_HOURS,
    ),
    (
        "lippulaiva-library",
        "library",
        ("Lippulaivan kirjasto", "Lippulaivabiblioteket", "Lippulaiva library"),
        ("Espoonlahdenkatu 4", "Esbovikensgatan 4"),
        "02320",
        (60.1490, 24.6552, True),
        "suur-espoonlahti",
        LIBRARY_HOURS,
    ),
    (
        "tapiola-library",
        "library",
        ("Tapiolan kirjasto", "Hagalunds bibliotek", "Tapiola library"),
        ("Tapiontori 3", "Tapiotorget 3"),
        "02100",
        (60.1757, 24.8054, True),
        "suur-tapiola",
        LIBRARY_HOURS,
    ),
    (
        "kauklahti-library",
        "library",
        ("Kauklahden kirjasto", "Köklax bibliotek", "Kauklahti library"),
        ("Kauklahdenpuistotie 2", "Köklaxparkvägen 2"),
        "02780",
        (60.1907, 24.5985, True),
        "suur-kauklahti",
        LIBRARY_HOURS,
    ),
    (
        "kalajarvi-library",
        "library",
        ("Kalajärven kirjasto", "Kalajärvi bibliotek", "Kalajärvi library"),
        ("Ruskatalo, Kalajärvi", "Ruskahuset, Kalajärvi"),
        "02970",
        (60.2768, 24.6536, True),
        "pohjois-espoo",
        LIBRARY_HOURS,
    ),
    (
        "soukka-library",
        "library",
        ("Soukan kirjasto", "Sökö bibliotek", "Soukka library"),
        ("Soukantori 1", "Sökötorget 1"),
        "02360",
        (60.1383, 24.6700, True),
        "suur-espoonlahti",
        LIBRARY_HOURS,
    ),
    (
        "viherlaakso-library",
        "library",
        ("Viherlaakson kirjasto", "Gröndals bibliotek", "Viherlaakso library"),
        ("Viherlaaksonranta 11", "Gröndalsstranden 11"),
        "02710",
        (60.2252, 24.7856, True),
        "suur-leppavaara",
        LIBRARY_HOURS,
    ),
    (
        "olari-library",
        "library",
        ("Olarin kirjasto", "Olars bibliotek", "Olari library"),
        ("Olarinraitti 1", "Olarsstråket 1"),
        "02210",
        (60.1750, 24.7360, True),
        "suur-matinkyla",
        LIBRARY_HOURS,
    ),
    (
        "kannusilta-centre",
        "senior_centre",
        ("Kannusillan palvelukeskus", "Kannusilta servicecentral", "Kannusilta senior centre"),
        ("Kannusillankatu 4", "Sporrbrogatan 4"),
        "02770",
        (60.2070, 24.6605, True),
        "vanha-espoo",
        CENTRE_HOURS,
    ),
    (
        "leppavaara-centre",
        "senior_centre",
        ("Leppävaaran palvelukeskus", "Alberga servicecentral", "Leppävaara senior centre"),
        ("Hatsinanpuisto 8", "Hatsinaparken 8"),
        "02600",
        (60.2230, 24.8160, True),
        "suur-leppavaara",
        CENTRE_HOURS,
    ),
    (
        "lippulaiva-centre",
        "shopping_centre",
        ("Kauppakeskus Lippulaiva", "Köpcentret Lippulaiva", "Lippulaiva shopping centre"),
        ("Espoonlahdenkatu 4", "Esbovikensgatan 4"),
        "02320",
        (60.1488, 24.6560, True),
        "suur-espoonlahti",
        SHOPPING_HOURS,
    ),
    (
        "ainoa-centre",
        "shopping_centre",
        ("Kauppakeskus Ainoa", "Köpcentret Ainoa", "Ainoa shopping centre"),
        ("Tapiontori 1", "Tapiotorget 1"),
        "02100",
        (60.1760, 24.8040, True),
        "suur-tapiola",
        SHOPPING_HOURS,
    ),
]

ADVISORS = [
    # username, first name, last name, languages
    ("aino.neuvoja", "Aino", "Laaksonen", ["fi", "sv"]),
    ("mikael.lindholm", "Mikael", "Lindholm", ["fi", "sv", "en"]),
    ("sara.advisor", "Sara", "Nieminen", ["fi", "en"]),
    ("olga.neuvoja", "Olga", "Virtanen", ["fi", "ru", "et"]),
]

# A weekly demo plan in which every area has visits and no advisor is in two places at once.
DEMO_SERIES = [
    # venue key, weekday (0 = Monday), start, end, advisors, services, languages
    ("sello-library", 0, "10:00", "14:00", ["aino.neuvoja"], ["digital-support", "general-guidance"], ["fi", "sv"]),
    ("entresse-library", 2, "10:00", "14:00", ["aino.neuvoja"], ["digital-support", "kela"], ["fi", "sv"]),
    ("lippulaiva-library", 1, "10:00", "14:00", ["sara.advisor"], ["digital-support", "hsl-card"], ["fi", "en"]),
    ("tapiola-library", 3, "12:00", "16:00", ["sara.advisor"], ["digital-support", "e-services"], ["fi", "en"]),
    (
        "kauklahti-library",
        1,
        "10:00",
        "13:00",
        ["mikael.lindholm"],
        ["general-guidance", "digital-support"],
        ["fi", "sv", "en"],
    ),
    (
        "kalajarvi-library",
        4,
        "10:00",
        "14:00",
        ["mikael.lindholm"],
        ["digital-support", "kela", "hsl-card"],
        ["fi", "sv"],
    ),
    ("kannusilta-centre", 2, "13:00", "15:00", ["olga.neuvoja"], ["digital-support"], ["fi", "ru", "et"]),
    ("iso-omena-library", 3, "10:00", "14:00", ["olga.neuvoja"], ["digital-support", "event-tickets"], ["fi", "ru"]),
    ("leppavaara-centre", 4, "12:00", "15:00", ["sara.advisor"], ["digital-support", "general-guidance"], ["fi", "en"]),
]
DEMO_WEEKS = 10
