from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from common.dates import local_today
from servicepoints.services import network_load, public_holiday_closures_add
from visits.seed import ADMINISTRATOR, demo_logins_create, demo_plan_load, venues_and_advisors_load

DEMO_ROLES = {
    "scheduler": "Scheduler (plans and publishes visits) at /fi/staff/",
    "advisor": "Advisor (sees the calendar, opens on their own visits, has a calendar feed) at /fi/staff/",
    ADMINISTRATOR: "Administrator at /admin/ (this computer only)",
}


class Command(BaseCommand):
    help = (
        "Load Espoo's areas, kinds of help, service points, public holidays, host locations, "
        "advisors and a published demo plan around today. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo-logins",
            action="store_true",
            help=(
                "Also create a scheduler and an advisor login with fresh passwords, and in the embedded mode an "
                "administrator login (local trials only)."
            ),
        )

    def handle(self, *args, demo_logins: bool = False, **options) -> None:
        today = local_today()
        network_load()
        holidays = public_holiday_closures_add(years=[today.year, today.year + 1])
        venues_and_advisors_load()
        series = demo_plan_load(today=today)
        self.stdout.write(
            self.style.SUCCESS(f"Espoo data loaded: {holidays} holiday closures and {series} demo series added.")
        )
        if demo_logins:
            # Only the embedded mode (make run on one computer) gets an administrator with a
            # printed password; elsewhere the first one is made with `createsuperuser`.
            for login in demo_logins_create(administrator=settings.EMBEDDED):
                role = DEMO_ROLES[login.role]
                self.stdout.write(f"{role}: {login.username} / {login.password}")
            if not settings.EMBEDDED:
                self.stdout.write("No demo administrator outside the embedded mode: use `manage.py createsuperuser`.")
