"""A real ``redis-server`` for tests: started on a free 127.0.0.1 port in a temporary directory, stopped
(and restartable on the same port, with its append-only file) by the test that owns it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RedisServer:
    """One ``redis-server`` process. ``persistent`` turns on the append-only file (fsync on every write), so
    a restart keeps the data, like a production server with AOF."""

    def __init__(self, directory: Path, *, persistent: bool = False, password: str | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run `make setup-system`")
        self.binary = binary
        self.directory = directory
        self.persistent = persistent
        self.password = password
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        for _ in range(5):
            self.port = self.port or free_port()
            args = [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
            ]
            args += ["--save", "", "--daemonize", "no", "--logfile", ""]
            args += (
                ["--appendonly", "yes", "--appendfsync", "always"]
                if self.persistent
                else ["--appendonly", "no"]
            )
            if self.password:
                args += ["--requirepass", self.password]
            self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._wait_ready():
                return self
            self.stop()
            self.port = 0  # the port was taken meanwhile: try another one
        raise RuntimeError("redis-server did not start")

    def _wait_ready(self) -> bool:
        client = redis.Redis.from_url(self.url)
        try:
            for _ in range(200):
                if self.proc is None or self.proc.poll() is not None:
                    return False
                try:
                    if client.ping():
                        return True
                except redis.RedisError:
                    time.sleep(0.02)
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()
