"""A real SMTP server for the tests (aiosmtpd), on a port the test chooses: it keeps what it
accepts, and can stall every DATA command until released (a worker caught in the middle of an
e-mail). A message stalled then released is refused (451), as a server that timed out would:
only accepted messages count as delivered."""

import asyncio
import email
import threading
import time
from email import policy

from aiosmtpd.controller import Controller


class SMTPSink:
    def __init__(self, port: int, *, stall: bool = False):
        self.port = port
        self.messages: list[email.message.EmailMessage] = []
        self.stalled = 0
        self.stalling = threading.Event()
        if stall:
            self.stalling.set()
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.stalling.is_set():
            with self._lock:
                self.stalled += 1
            while self.stalling.is_set():
                await asyncio.sleep(0.05)
            return "451 Requested action aborted: timed out"
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self.stalling.clear()
        self._controller.stop()

    def message_ids(self) -> list[str]:
        with self._lock:
            return [m["Message-ID"] for m in self.messages]

    def wait_until(self, predicate, timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.05)
        return predicate()
