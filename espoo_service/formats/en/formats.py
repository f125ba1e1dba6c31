# Espoo's English pages write the clock as its Finnish ones do (09.00), not Django's "9 a.m.":
# residents and staff read the same times whatever the page's language.
TIME_FORMAT = "H.i"
