"""The city's own facts about its service point network, loaded by `load_espoo_data`.

Dates come from the plan of 16 December 2021 and the City Board's decision of 20 December 2021.
They are data: an administrator changes them in the admin, never in code. Positions not given
in the plan are estimates and are loaded with `location_is_approximate` set.
"""

import datetime

AREAS = [
    # slug, fi, sv, en, latitude, longitude
    ("suur-leppavaara", "Suur-Leppävaara", "Stor-Alberga", "Suur-Leppävaara", 60.2193, 24.8130),
    ("suur-tapiola", "Suur-Tapiola", "Stor-Hagalund", "Suur-Tapiola", 60.1756, 24.8050),
    ("suur-matinkyla", "Suur-Matinkylä", "Stor-Mattby", "Suur-Matinkylä", 60.1600, 24.7390),
    ("suur-espoonlahti", "Suur-Espoonlahti", "Stor-Esboviken", "Suur-Espoonlahti", 60.1480, 24.6600),
    ("suur-kauklahti", "Suur-Kauklahti", "Stor-Köklax", "Suur-Kauklahti", 60.1900, 24.5980),
    ("vanha-espoo", "Vanha-Espoo", "Gamla Esbo", "Vanha-Espoo", 60.2050, 24.6560),
    ("pohjois-espoo", "Pohjois-Espoo", "Norra Esbo", "Pohjois-Espoo", 60.2800, 24.6500),
]

SERVICE_TYPES = [
    # slug, fi, sv, en
    ("digital-support", "Digituki", "Digistöd", "Digital support"),
    ("general-guidance", "Yleisneuvonta", "Allmän rådgivning", "General guidance"),
    ("kela", "Kela-asiat", "FPA-ärenden", "Kela matters"),
    ("hsl-card", "HSL-kortti", "HRT-kort", "HSL card"),
    ("event-tickets", "Tapahtumaliput", "Evenemangsbiljetter", "Event tickets"),
    ("e-services", "Kaupungin sähköiset palvelut", "Stadens e-tjänster", "City e-services"),
    ("printing", "Tulostus", "Utskrift", "Printing"),
]

FULL_SERVICES = ["general-guidance", "digital-support", "hsl-card", "event-tickets", "printing", "kela", "e-services"]
WEEKDAYS_9_TO_16 = [(day, "09:00", "16:00") for day in range(5)]

SERVICE_POINTS = [
    {
        "slug": "matinkyla",
        "kind": "fixed",
        "name": ("Matinkylän asiointipiste", "Servicepunkten i Mattby", "Matinkylä service point"),
        "description": (
            "Iso Omenan palvelutori metroaseman yhteydessä. Vilkkain asiointipiste, palvelee laajaa aluetta.",
            "Iso Omenas servicetorg vid metrostationen. Den livligaste servicepunkten, betjänar ett stort område.",
            "Iso Omena service centre, by the metro. The busiest point, serving a wide area.",
        ),
        "street_address": ("Piispansilta 11", "Biskopsbron 11", "Piispansilta 11"),
        "postal_code": "02230",
        "position": (60.1618, 24.7377, False),
        "area": "suur-matinkyla",
        "services": FULL_SERVICES,
        "opens_on": None,
        "closes_on": None,
        "hours": [(day, "09:00", "18:00") for day in range(5)],
        "accessibility": (
            "Esteetön kulku hisseillä metroasemalta ja pysäköintihallista. Induktiosilmukka palvelupisteessä.",
            "Tillgängligt med hiss från metrostationen och parkeringshallen. Induktionsslinga vid disken.",
            "Step-free access by lift from the metro station and the car park. Induction loop at the desk.",
        ),
        "public_transport": (
            "Metro Matinkylän asemalle; bussiterminaali Iso Omenan alakerrassa.",
            "Metro till Mattby station; bussterminalen i Iso Omenas nedre plan.",
            "Metro to Matinkylä station; the bus terminal is on the ground floor of Iso Omena.",
        ),
        "closure_note": ("", "", ""),
        "alternatives": [],
    },
    {
        "slug": "leppavaara",
        "kind": "fixed",
        "name": ("Leppävaaran asiointipiste", "Servicepunkten i Alberga", "Leppävaara service point"),
        "description": (
            "Kauppakeskus Sellossa rantaradan varrella. Vilkkaimpia asiointipisteitä.",
            "I köpcentret Sello vid kustbanan. En av de livligaste servicepunkterna.",
            "In the Sello shopping centre by the coastal railway. One of the busiest points.",
        ),
        "street_address": ("Leppävaarankatu 9", "Albergagatan 9", "Leppävaarankatu 9"),
        "postal_code": "02600",
        "position": (60.21748, 24.80992, False),
        "area": "suur-leppavaara",
        "services": FULL_SERVICES,
        "opens_on": None,
        "closes_on": None,
        "hours": [(day, "09:00", "18:00") for day in range(5)],
        "accessibility": (
            "Esteetön sisäänkäynti Sellon kirjaston puolelta. Hissi kaikkiin kerroksiin.",
            "Tillgänglig ingång från Sellobibliotekets sida. Hiss till alla våningar.",
            "Step-free entrance on the Sello library side. Lift to every floor.",
        ),
        "public_transport": (
            "Leppävaaran rautatieasema ja bussiterminaali ovat Sellon vieressä.",
            "Alberga järnvägsstation och bussterminal ligger bredvid Sello.",
            "Leppävaara railway station and bus terminal are next to Sello.",
        ),
        "closure_note": ("", "", ""),
        "alternatives": [],
    },
    {
        "slug": "kalajarvi",
        "kind": "fixed",
        "name": ("Kalajärven asiointipiste", "Servicepunkten i Kalajärvi", "Kalajärvi service point"),
        "description": (
            "Kalajärven palvelukeskus Ruskatalossa, kaupungin omissa tiloissa.",
            "Kalajärvi servicecentral i Ruskahuset, i stadens egna lokaler.",
            "Kalajärvi service centre in Ruskatalo, in city-owned premises.",
        ),
        "street_address": ("Ruskatalo, Kalajärvi", "Ruskahuset, Kalajärvi", "Ruskatalo, Kalajärvi"),
        "postal_code": "02970",
        "position": (60.2766, 24.6532, True),
        "area": "pohjois-espoo",
        "services": ["general-guidance", "digital-support", "hsl-card", "printing", "kela"],
        "opens_on": None,
        "closes_on": None,
        "hours": WEEKDAYS_9_TO_16,
        "accessibility": (
            "Esteetön sisäänkäynti pääovelta.",
            "Tillgänglig ingång vid huvuddörren.",
            "Step-free entrance at the main door.",
        ),
        "public_transport": (
            "Joukkoliikenneyhteydet ovat rajalliset: tarkista bussien aikataulut reittioppaasta.",
            "Kollektivtrafiken är begränsad: kontrollera busstidtabellerna i reseplaneraren.",
            "Public transport is limited: check the bus timetables in the journey planner.",
        ),
        "closure_note": ("", "", ""),
        "alternatives": [],
    },
    {
        "slug": "espoonlahti",
        "kind": "fixed",
        "name": ("Espoonlahden asiointipiste", "Servicepunkten i Esboviken", "Espoonlahti service point"),
        "description": ("", "", ""),
        "street_address": ("Espoonlahdenkatu 8", "Esbovikensgatan 8", "Espoonlahdenkatu 8"),
        "postal_code": "02320",
        "position": (60.1487, 24.6557, True),
        "area": "suur-espoonlahti",
        "services": FULL_SERVICES,
        "opens_on": None,
        "closes_on": datetime.date(2022, 3, 31),
        "hours": WEEKDAYS_9_TO_16,
        "accessibility": ("", "", ""),
        "public_transport": ("", "", ""),
        "closure_note": (
            "Asiointipiste suljettiin maaliskuun 2022 lopussa (31.3.2022).",
            "Servicepunkten stängdes i slutet av mars 2022 (31.3.2022).",
            "The service point closed at the end of March 2022 (31 March 2022).",
        ),
        "alternatives": ["matinkyla"],
    },
    {
        "slug": "espoon-keskus",
        "kind": "fixed",
        "name": ("Espoon keskuksen asiointipiste", "Servicepunkten i Esbo centrum", "Espoon keskus service point"),
        "description": ("", "", ""),
        "street_address": ("Kirkkojärventie 6", "Kyrkträskvägen 6", "Kirkkojärventie 6"),
        "postal_code": "02770",
        "position": (60.2056, 24.6553, True),
        "area": "vanha-espoo",
        "services": FULL_SERVICES,
        "opens_on": None,
        "closes_on": datetime.date(2022, 6, 30),
        "hours": WEEKDAYS_9_TO_16,
        "accessibility": ("", "", ""),
        "public_transport": ("", "", ""),
        "closure_note": (
            "Asiointipiste suljettiin kesäkuun 2022 lopussa (30.6.2022). Espoon keskukseen jää pienimuotoinen "
            "asiointipiste kaupungin tai yhteistyökumppanin tiloihin.",
            "Servicepunkten stängdes i slutet av juni 2022 (30.6.2022). En mindre servicepunkt blir kvar i Esbo "
            "centrum, i stadens eller en samarbetspartners lokaler.",
            "The service point closed at the end of June 2022 (30 June 2022). A small-scale service point stays in "
            "Espoon keskus, in city or partner premises.",
        ),
        "alternatives": ["espoon-keskus-pieni", "leppavaara"],
    },
    {
        "slug": "tapiola",
        "kind": "fixed",
        "name": ("Tapiolan asiointipiste", "Servicepunkten i Hagalund", "Tapiola service point"),
        "description": ("", "", ""),
        "street_address": ("Kauppamiehentie 1", "Köpmansvägen 1", "Kauppamiehentie 1"),
        "postal_code": "02100",
        "position": (60.1752, 24.8046, True),
        "area": "suur-tapiola",
        "services": FULL_SERVICES,
        "opens_on": None,
        "closes_on": datetime.date(2023, 6, 30),
        "hours": WEEKDAYS_9_TO_16,
        "accessibility": ("", "", ""),
        "public_transport": ("", "", ""),
        "closure_note": (
            "Suunnitelman (16.12.2021) mukaan asiointipiste suljetaan kesäkuun 2023 lopussa (30.6.2023).",
            "Enligt planen (16.12.2021) stängs servicepunkten i slutet av juni 2023 (30.6.2023).",
            "Per the plan of 16 December 2021, the service point closes at the end of June 2023 (30 June 2023).",
        ),
        "alternatives": ["matinkyla", "leppavaara"],
    },
    {
        "slug": "espoon-keskus-pieni",
        "kind": "small",
        "name": (
            "Espoon keskuksen pienimuotoinen asiointipiste",
            "Den mindre servicepunkten i Esbo centrum",
            "Espoon keskus small-scale service point",
        ),
        "description": (
            "Pienimuotoinen asiointipiste Espoon keskuksessa. Paikka ja aukioloajat ovat esimerkkitietoja.",
            "En mindre servicepunkt i Esbo centrum. Platsen och öppettiderna är exempeluppgifter.",
            "A small-scale service point in Espoon keskus. Its place and hours are example data.",
        ),
        "street_address": ("Siltakatu 11", "Brogatan 11", "Siltakatu 11"),
        "postal_code": "02770",
        "position": (60.203636, 24.657864, False),
        "area": "vanha-espoo",
        "services": ["general-guidance", "digital-support", "hsl-card"],
        "opens_on": datetime.date(2022, 7, 1),
        "closes_on": None,
        # The source says a small-scale point stays, not where or when: place and hours are examples.
        "example_data": True,
        "hours": [(1, "10:00", "14:00"), (3, "10:00", "14:00")],
        "accessibility": (
            "Esteetön sisäänkäynti kauppakeskus Entressen kautta.",
            "Tillgänglig ingång genom köpcentret Entresse.",
            "Step-free entrance through the Entresse shopping centre.",
        ),
        "public_transport": (
            "Espoon rautatieasema ja bussiterminaali ovat vieressä.",
            "Esbo järnvägsstation och bussterminal ligger intill.",
            "Espoo railway station and bus terminal are next door.",
        ),
        "closure_note": ("", "", ""),
        "alternatives": [],
    },
]
