"""Folder locks: one writer at a time for ``processed/``, ``reports/`` and ``dist/``.

``prepare``, ``run`` and ``publish`` each write a folder; two of them writing the same folder
at once would mix two runs' files (a half-replaced panel under a running notebook, two
runners emptying each other's cache). Each takes a lock on the folder it writes: a file
``.<folder name>.lock`` beside the folder (so replacing the folder itself, as ``prepare`` does,
never removes the lock), created with ``O_CREAT | O_EXCL`` -- atomic on POSIX file systems --
and holding the holder's pid, host, process start time and command.

A second command refuses with a message naming the holder, or waits with ``--wait``. A lock
whose holder is dead (same host, and the pid is gone or belongs to a newer process) is taken
over with a note; a lock of another host is never taken over automatically, since its
process cannot be checked from here (the message says how to remove it by hand).

Example
-------
>>> with FolderLock(Path("reports"), command="run"):     # doctest: +SKIP
...     run_pipeline(settings, opts)
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

POLL_SECONDS = 0.5


class LockError(RuntimeError):
    """A folder is locked by another live command (the message names the holder)."""


def lock_path(folder: Path) -> Path:
    """Where the lock of ``folder`` lives: ``.<name>.lock`` in its parent."""
    folder = Path(folder).resolve()
    return folder.parent / f".{folder.name}.lock"


def _start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux ``/proc``), else None.

    Compared with the recorded value it tells a live holder from a new process that reused
    its pid after the holder died.
    """
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = text.rsplit(")", 1)[-1].split()
    try:
        return int(fields[19])  # field 22 of proc(5); fields here start at field 3
    except (IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, as written in the lock file."""

    pid: int
    host: str
    started: str
    command: str
    ticks: int | None = None

    def describe(self) -> str:
        return f"{self.command!r} (pid {self.pid} on {self.host}, started {self.started})"

    def dead(self) -> bool:
        """True only when certain: same host and the process is gone or is another one."""
        if self.host != socket.gethostname():
            return False
        if not _alive(self.pid):
            return True
        now = _start_ticks(self.pid)
        return self.ticks is not None and now is not None and now != self.ticks


def read_holder(path: Path) -> Holder | None:
    """The holder recorded in a lock file (None when it is unreadable or half-written)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return Holder(
            pid=int(data["pid"]),
            host=str(data["host"]),
            started=str(data["started"]),
            command=str(data.get("command", "")),
            ticks=data.get("ticks"),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


class FolderLock:
    """Exclusive lock on a folder for the duration of a ``with`` block.

    Parameters
    ----------
    folder : the folder the command writes.
    command : what holds it (shown to a second command), e.g. ``"evaluation run"``.
    wait : wait for the holder to finish instead of refusing.
    timeout : with ``wait``, give up after this many seconds (None: wait for ever).
    out : where notes go (a dead holder's lock taken over, waiting).
    """

    def __init__(
        self,
        folder: Path,
        *,
        command: str,
        wait: bool = False,
        timeout: float | None = None,
        out: TextIO | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.path = lock_path(self.folder)
        self.command = command
        self.wait = wait
        self.timeout = timeout
        self.out = out if out is not None else sys.stderr
        self.held = False

    def _record(self) -> dict[str, Any]:
        pid = os.getpid()
        return {
            "pid": pid,
            "host": socket.gethostname(),
            "started": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "command": self.command,
            "ticks": _start_ticks(pid),
            "folder": str(self.folder.resolve()),
        }

    def _try(self) -> bool:
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self._record(), fh, sort_keys=True)
        return True

    def _remove_dead(self, holder: Holder) -> bool:
        """Remove a dead holder's lock, serialised with ``flock`` on a guard file so that two
        commands taking over at once cannot remove each other's fresh lock."""
        import fcntl

        guard = self.path.with_name(self.path.name + ".guard")
        with guard.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                if read_holder(self.path) == holder:
                    self.path.unlink(missing_ok=True)
                    return True
                return False
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def acquire(self) -> FolderLock:
        """Take the lock, take over a dead holder's, wait, or raise :class:`LockError`."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        announced = False
        while True:
            if self._try():
                self.held = True
                return self
            holder = read_holder(self.path)
            if holder is None:
                # half-written by a starting holder, or garbage: judge by its age
                try:
                    age = time.time() - self.path.stat().st_mtime
                except FileNotFoundError:
                    continue
                if age > 10:
                    print(f"note: removing unreadable lock {self.path}", file=self.out)
                    self.path.unlink(missing_ok=True)
                    continue
            elif holder.dead():
                if self._remove_dead(holder):
                    print(
                        f"note: {self.folder} was locked by {holder.describe()}, which is no "
                        "longer running; taking the lock over",
                        file=self.out,
                    )
                continue
            if not self.wait:
                who = holder.describe() if holder else "another command"
                raise LockError(
                    f"{self.folder} is in use by {who}; wait for it to finish, or pass --wait "
                    f"(if that process is surely gone, delete {self.path})"
                )
            if self.timeout is not None and time.monotonic() - t0 > self.timeout:
                raise LockError(
                    f"{self.folder} still in use after waiting {self.timeout:g} s "
                    f"(lock {self.path})"
                )
            if not announced and holder is not None:
                print(f"waiting for {holder.describe()} to release {self.folder}", file=self.out)
                announced = True
            time.sleep(POLL_SECONDS)

    def release(self) -> None:
        """Remove the lock file if this process still holds it."""
        if not self.held:
            return
        holder = read_holder(self.path)
        if holder is not None and holder.pid == os.getpid():
            self.path.unlink(missing_ok=True)
        self.held = False

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


__all__ = ["FolderLock", "Holder", "LockError", "lock_path", "read_holder"]
