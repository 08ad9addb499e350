"""Send the unread-message reminder e-mails that are due.

The scheduler (`manage.py run_scheduler`) runs this every minute; the command is for a run by
hand, or `--loop` (every `--interval` seconds until stopped): a round that fails is logged and
the loop goes on. Idempotent: a member gets one e-mail per conversation until they read it
again.
"""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

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
            try:
                sent = send_message_reminders()
            except Exception:
                if not loop:
                    raise
                logging.getLogger(__name__).exception("reminder round failed; going on")
            else:
                self.stdout.write(f"{sent} reminder(s) sent.")
            runs += 1
            if not loop or (iterations and runs >= iterations):
                return
            time.sleep(interval)
            # A connection broken during the round (the database restarted) is replaced; never
            # one that is in the middle of a transaction.
            if not connection.in_atomic_block:
                close_old_connections()
