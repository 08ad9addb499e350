"""Send the unread-message reminder e-mails that are due.

Run it every minute: from cron (`* * * * * manage.py send_message_reminders`), or as a worker
with `--loop` (runs every `--interval` seconds until stopped). Idempotent: a member gets one
e-mail per conversation until they read it again.
"""

import time

from django.core.management.base import BaseCommand

from messaging.reminders import send_message_reminders


class Command(BaseCommand):
    help = "E-mail members who left a partner's message unread for 10 minutes (once each)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running (worker mode).")
        parser.add_argument("--interval", type=float, default=60.0, help="Seconds between runs.")
        parser.add_argument(
            "--iterations", type=int, default=0, help="With --loop: stop after N runs (0: never)."
        )

    def handle(self, *args, loop=False, interval=60.0, iterations=0, **options):
        runs = 0
        while True:
            sent = send_message_reminders()
            runs += 1
            self.stdout.write(f"{sent} reminder(s) sent.")
            if not loop or (iterations and runs >= iterations):
                return
            time.sleep(interval)
