"""A real SMTP server on loopback (aiosmtpd) for the outbox tests, and one that accepts TCP and never answers."""

import asyncio
import socket
import threading
from email import message_from_bytes

from aiosmtpd.smtp import SMTP


class Handler:
    """Keeps every mail it accepted; refuses the recipients in `refuse` with a permanent 550."""

    def __init__(self):
        self.messages = []
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SMTPServer:
    """aiosmtpd in its own thread and event loop on 127.0.0.1. `stop()` then `start()` again gives the same
    port back: the mail server that was down is back."""

    def __init__(self):
        self.handler = Handler()
        self.port = 0
        self._loop = None
        self._server = None
        self._thread = None

    @property
    def messages(self):
        return self.handler.messages

    def start(self) -> "SMTPServer":
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

        async def serve():
            return await self._loop.create_server(
                lambda: SMTP(self.handler, hostname="mail.test"), "127.0.0.1", self.port, reuse_address=True
            )

        self._server = asyncio.run_coroutine_threadsafe(serve(), self._loop).result(timeout=10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close():
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


class HangingServer:
    """Accepts TCP connections (the kernel's backlog does) and never says a word."""

    def __init__(self):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]

    def connections_waiting(self) -> int:
        """How many connections were opened to it (taken off the backlog to count them)."""
        self.socket.setblocking(False)
        count = 0
        try:
            while True:
                connection, _ = self.socket.accept()
                connection.close()
                count += 1
        except BlockingIOError:
            return count

    def close(self) -> None:
        self.socket.close()


def closed_port() -> int:
    """A loopback port where nothing listens (the mail server is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
