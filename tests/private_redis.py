"""A redis-server of one test's own (never the shared one): the test may count its clients and
keys, stop it and start it again."""

import subprocess
import time
from pathlib import Path

from tests.live_server import free_port


class PrivateRedis:
    """A redis-server of this test alone, without persistence, that it may stop and start."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def clients(self) -> int:
        """How many clients are connected to it, not counting the probe that asks."""
        import redis

        probe = redis.Redis.from_url(self.url)
        try:
            return len(probe.client_list()) - 1
        finally:
            probe.close()
