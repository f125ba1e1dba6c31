# Django's Finnish locale writes 9.00; the city's pages write clock times with two digits, 09.00.
TIME_FORMAT = "H.i"
