"""Standard input as awaitable lines, with Ctrl-C as something the console can answer.

Where the event loop can watch standard input (a terminal or a pipe, on POSIX), lines are read
as they arrive and no thread is left blocked in a read: Ctrl-C at the prompt ends the session
at once, where a read in a worker thread would hold the exit until Enter. Elsewhere (a regular
file, which never blocks; an in-memory stream; Windows) a worker thread reads.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import stat
from collections import deque
from typing import TextIO


class Interrupted(Exception):
    """Ctrl-C while the console waited for a line."""


class Keyboard:
    """``await keyboard.line()``: the next line (with its newline), ``None`` at end of input;
    raises ``Interrupted`` when ``interrupt()`` was called (by the Ctrl-C handler) meanwhile.

    >>> keyboard = Keyboard(sys.stdin); keyboard.start(); line = await keyboard.line()
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._lines: deque[str] = deque()
        self._ended = False
        self._interrupted = False
        self._wake = asyncio.Event()
        self._fd: int | None = None
        self._partial = ""
        encoding = getattr(stream, "encoding", None) or "utf-8"
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._pump: asyncio.Task[None] | None = None

    def start(self) -> None:
        fd = _watchable(self.stream)
        if fd is not None:
            try:
                asyncio.get_running_loop().add_reader(fd, self._readable)
                self._fd = fd
                return
            except (NotImplementedError, OSError, ValueError):  # Windows, an unusual file
                pass
        self._pump = asyncio.create_task(self._read_in_thread())

    def stop(self) -> None:
        if self._fd is not None:
            asyncio.get_running_loop().remove_reader(self._fd)
            self._fd = None
        if self._pump is not None:
            self._pump.cancel()

    def interrupt(self) -> None:
        """Ctrl-C: the waiting (or next) ``line()`` raises ``Interrupted``, ahead of any line
        already read."""
        self._interrupted = True
        self._wake.set()

    async def line(self) -> str | None:
        while True:
            if self._interrupted:
                self._interrupted = False
                raise Interrupted
            if self._lines:
                return self._lines.popleft()
            if self._ended:
                return None
            self._wake.clear()
            await self._wake.wait()

    def _readable(self) -> None:
        assert self._fd is not None
        try:
            chunk = os.read(self._fd, 65536)
        except BlockingIOError:
            return
        except OSError:  # the terminal went away: as the end of input
            chunk = b""
        if not chunk:
            self._partial += self._decoder.decode(b"", final=True)
            if self._partial:  # a last line without a newline still counts
                self._lines.append(self._partial)
                self._partial = ""
            self._end()
            return
        self._partial += self._decoder.decode(chunk)
        *complete, self._partial = self._partial.split("\n")
        self._lines.extend(line + "\n" for line in complete)
        self._wake.set()

    def _end(self) -> None:
        self._ended = True
        if self._fd is not None:
            asyncio.get_running_loop().remove_reader(self._fd)
            self._fd = None
        self._wake.set()

    async def _read_in_thread(self) -> None:
        try:
            while line := await asyncio.to_thread(self.stream.readline):
                self._lines.append(line)
                self._wake.set()
        finally:
            self._end()


def _watchable(stream: TextIO) -> int | None:
    """The file descriptor of ``stream`` when the event loop can wait on it: a terminal, a pipe
    or a socket; ``None`` for a regular file (always "ready") or a stream without one."""
    with contextlib.suppress(AttributeError, OSError, ValueError):
        fd = stream.fileno()
        mode = os.fstat(fd).st_mode
        if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
            return fd
    return None
