"""Folder locks (evaluation.pipeline.locks): one writer per folder, holder named, dead holder
taken over, --wait waits; the CLI takes them around prepare, run and publish."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from evaluation.pipeline.locks import FolderLock, LockError, lock_path, read_holder


def test_second_holder_is_refused_with_the_holders_name(tmp_path):
    folder = tmp_path / "reports"
    with FolderLock(folder, command="evaluation run"):
        record = json.loads(lock_path(folder).read_text())
        assert record["pid"] == os.getpid() and record["host"] == socket.gethostname()
        with pytest.raises(LockError) as err:
            FolderLock(folder, command="evaluation run").acquire()
        message = str(err.value)
        assert f"pid {os.getpid()}" in message and socket.gethostname() in message
        assert record["started"] in message and "--wait" in message
    assert not lock_path(folder).exists()  # released
    with FolderLock(folder, command="again"):  # and free again
        pass


def test_lock_of_a_dead_process_is_taken_over_with_a_note(tmp_path):
    folder = tmp_path / "processed"
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead_pid = int(proc.stdout)  # exited: no such process (pid reuse is checked by start time)
    lock_path(folder).write_text(json.dumps({
        "pid": dead_pid, "host": socket.gethostname(), "started": "2020-01-01T00:00:00Z",
        "command": "evaluation prepare", "ticks": 1,
    }))  # fmt: skip
    notes = io.StringIO()
    with FolderLock(folder, command="evaluation prepare", out=notes):
        assert read_holder(lock_path(folder)).pid == os.getpid()
    assert "no longer running; taking the lock over" in notes.getvalue()
    assert f"pid {dead_pid}" in notes.getvalue()


def test_reused_pid_is_not_the_holder(tmp_path):
    # our own pid with another start time: the recorded holder died and the pid was reused
    folder = tmp_path / "x"
    lock_path(folder).write_text(json.dumps({
        "pid": os.getpid(), "host": socket.gethostname(), "started": "2020-01-01T00:00:00Z",
        "command": "old", "ticks": -5,
    }))  # fmt: skip
    if not os.path.exists(f"/proc/{os.getpid()}/stat"):
        pytest.skip("no /proc: start times cannot be compared on this system")
    with FolderLock(folder, command="new", out=io.StringIO()):
        pass


def test_lock_of_another_host_is_never_taken_over(tmp_path):
    folder = tmp_path / "dist"
    lock_path(folder).write_text(json.dumps({
        "pid": 1, "host": "some-other-host", "started": "2020-01-01T00:00:00Z",
        "command": "evaluation publish",
    }))  # fmt: skip
    with pytest.raises(LockError, match="some-other-host"):
        FolderLock(folder, command="me").acquire()
    assert lock_path(folder).exists()


def test_wait_waits_for_the_holder(tmp_path):
    folder = tmp_path / "reports"
    first = FolderLock(folder, command="first").acquire()
    timer = threading.Timer(1.0, first.release)
    timer.start()
    t0 = time.monotonic()
    notes = io.StringIO()
    with FolderLock(folder, command="second", wait=True, timeout=30, out=notes):
        waited = time.monotonic() - t0
    timer.join()
    assert 0.9 <= waited < 20  # released after ~1 s; polled every 0.5 s
    assert "waiting for 'first'" in notes.getvalue()
    held = FolderLock(folder, command="third").acquire()
    with pytest.raises(LockError, match="still in use after waiting 0.6 s"):
        FolderLock(folder, command="fourth", wait=True, timeout=0.6, out=io.StringIO()).acquire()
    held.release()


def test_cli_refuses_a_locked_folder(tmp_path, capsys):
    from evaluation.cli import main

    reports = tmp_path / "reports"
    pipeline = tmp_path / "pipeline.yml"
    pipeline.write_text("notebooks:\n  - name: a\n    grid: {sample: [all]}\n")
    with FolderLock(reports, command="evaluation run"):
        rc = main(["run", "--pipeline", str(pipeline), "--reports", str(reports)])
    assert rc == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error (folder in use): ")
    assert f"pid {os.getpid()}" in err[0] and "Traceback" not in err[0]
    # a dry run writes nothing and takes no lock
    with FolderLock(reports, command="evaluation run"):
        assert main(["run", "--pipeline", str(pipeline), "--reports", str(reports),
                     "--dry-run"]) == 0  # fmt: skip
