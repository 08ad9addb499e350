"""channels.testing.WebsocketCommunicator, importable without daphne.

`channels.testing/__init__.py` (channels 4.3) also imports ChannelsLiveServerTestCase, which
needs daphne; this project serves with uvicorn and does not depend on daphne. When daphne is
missing, the package's modules are loaded without that one import: the communicator is the
same class, from the same file.
"""

import importlib
import sys
import types
from pathlib import Path

try:
    from channels.testing import WebsocketCommunicator
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
    if exc.name != "daphne":
        raise
    import channels

    package = types.ModuleType("channels.testing")
    package.__path__ = [str(Path(channels.__file__).parent / "testing")]
    sys.modules["channels.testing"] = package
    WebsocketCommunicator = importlib.import_module(
        "channels.testing.websocket"
    ).WebsocketCommunicator
    package.WebsocketCommunicator = WebsocketCommunicator

__all__ = ["WebsocketCommunicator"]
