from django.core.management.base import BaseCommand

from kembar.dashboard.demo import DEMO_PASSWORD, USERS, load_demo


class Command(BaseCommand):
    help = "Load the demo: real partnerships of Bandung, Surabaya, Jakarta and Yogyakarta, offices and users."

    def handle(self, *args, **options):
        created = load_demo()
        self.stdout.write(
            self.style.SUCCESS("Demo loaded: " + ", ".join(f"{n} {what} created" for what, n in created.items()))
        )
        names = ", ".join(["admin"] + [u for u, _, _ in USERS])
        self.stdout.write(f"Demo users ({names}) all have the password “{DEMO_PASSWORD}”.")
