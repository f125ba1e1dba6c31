from django.core.management.base import BaseCommand

from servicepoints.selectors import local_today
from servicepoints.services import network_load, public_holiday_closures_add


class Command(BaseCommand):
    help = "Load Espoo's areas, kinds of help, service points and public holidays. Safe to run again."

    def handle(self, *args, **options) -> None:
        network_load()
        year = local_today().year
        created = public_holiday_closures_add(years=[year, year + 1])
        self.stdout.write(self.style.SUCCESS(f"Service point network loaded; {created} holiday closures added."))
