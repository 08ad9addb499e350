"""The end-to-end journeys' server: tests.live_server, with e-mails to files the journeys read
(verification codes, notices), uploads in a temporary folder and tasks run inline. REDIS_URL,
when set, is kept: the server then uses the Redis channel layer and cache.
"""

import email
import subprocess
import time
from email.message import Message
from pathlib import Path

from tests.live_server import (
    PASSWORD,
    PYTHON,
    ROOT,
    Server,
    base_env,
    free_port,
    migrated_database,
)

__all__ = ["PASSWORD", "Server", "free_port"]


def e2e_database(tmp_path: Path):
    """A DATABASE_URL of a migrated database of the suite's kind, dropped afterwards."""
    return migrated_database(tmp_path, "e2e")


def server_env(database_url: str, mail_dir: Path, media_dir: Path, **extra: str) -> dict:
    return base_env(
        database_url,
        DEBUG="true",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        MEDIA_ROOT=str(media_dir),
        TASKS_BACKEND="immediate",
        **extra,
    )


def manage(env: dict, *args: str) -> str:
    """Run `manage.py <args>` against the server's database; returns its output."""
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=False,
        timeout=300,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def read_mails(mail_dir: Path) -> list[Message]:
    """Every message Django's file backend wrote, oldest file first."""
    messages = []
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk))
    return messages


def mail_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            return payload.decode(part.get_content_charset() or "utf-8")
    return ""


def mails_to(mail_dir: Path, address: str) -> list[tuple[str, str]]:
    """(subject, text) of the messages sent to `address`."""
    found = []
    for message in read_mails(mail_dir):
        if address in message.get("To", ""):
            subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
            found.append((subject, mail_text(message)))
    return found


def wait_for_mail(mail_dir: Path, address: str, contains: str, timeout: float = 10):
    """The text of the first message to `address` whose subject or text contains `contains`."""
    deadline = time.monotonic() + timeout
    while True:
        for subject, text in mails_to(mail_dir, address):
            if contains in subject or contains in text:
                return subject, text
        if time.monotonic() > deadline:
            raise AssertionError(f"no e-mail to {address} containing {contains!r}")
        time.sleep(0.1)
