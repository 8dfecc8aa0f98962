"""Fetch a published release of the official Python SDK and read its serialized file descriptors.

Nothing of the upstream package is installed or imported: its ``*_pb2.py`` modules are parsed as
source, and the one bytes literal each passes to ``AddSerializedFile`` is decoded with
``ast.literal_eval`` into a ``FileDescriptorProto``. Only those descriptors are used (wire facts and
options); comments, prose and code of the upstream are never read into our tree.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import descriptor_pb2

PACKAGE = "scalekit-sdk-python"


class UpdateError(Exception):
    """A one-line reason ``make update-api`` stopped; the working tree is left as it was."""


@dataclass(frozen=True)
class Release:
    version: str
    files: dict[str, descriptor_pb2.FileDescriptorProto]


def parse_pin(spec: str) -> str:
    """``scalekit-sdk-python==2.21.0`` or ``2.21.0`` -> ``2.21.0``."""
    version = spec.split("==", 1)[1] if "==" in spec else spec
    name = spec.split("==", 1)[0] if "==" in spec else PACKAGE
    if name.strip().lower().replace("_", "-") != PACKAGE or not version.strip():
        raise UpdateError(f"UPSTREAM must be {PACKAGE}==X.Y.Z, got {spec!r}")
    return version.strip()


def latest() -> str:
    """The newest published version (asks the package registry through pip, like ``make setup``)."""
    with tempfile.TemporaryDirectory(prefix="scalekit-upstream-") as tmp:
        wheel = download("", Path(tmp))
        # scalekit_sdk_python-2.21.0-py3-none-any.whl
        return wheel.name.split("-")[1]


def download(version: str, dest: Path) -> Path:
    """``pip download`` the release's wheel (no dependencies, no install) into ``dest``."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q"]
    cmd += ["-d", str(dest), f"{PACKAGE}=={version}" if version else PACKAGE]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
    wheels = sorted(dest.glob("*.whl"))
    if done.returncode != 0 or not wheels:
        text = done.stderr + done.stdout
        if "No matching distribution" in text or "Could not find a version" in text:
            raise UpdateError(f"{PACKAGE}=={version} does not exist in the package registry")
        last = next((ln for ln in reversed(text.splitlines()) if ln.strip()), "no wheel was downloaded")
        raise UpdateError(f"could not download {PACKAGE}=={version}: {last.strip()}")
    return wheels[0]


def read_descriptors(wheel: Path) -> dict[str, descriptor_pb2.FileDescriptorProto]:
    """Every serialized ``FileDescriptorProto`` in the wheel's ``*_pb2.py`` modules, by file name."""
    files: dict[str, descriptor_pb2.FileDescriptorProto] = {}
    try:
        archive = zipfile.ZipFile(wheel)
    except zipfile.BadZipFile as exc:
        raise UpdateError(f"{wheel.name} is not a wheel: {exc}") from None
    with archive:
        for name in archive.namelist():
            if not name.endswith("_pb2.py"):
                continue
            for node in ast.walk(ast.parse(archive.read(name), filename=name)):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "AddSerializedFile":
                    data = ast.literal_eval(node.args[0])
                    fd = descriptor_pb2.FileDescriptorProto.FromString(data)
                    files[fd.name] = fd
    if not any(n.startswith("scalekit/v1/") and fd.service for n, fd in files.items()):
        raise UpdateError(f"{wheel.name} holds no scalekit.v1 service descriptors")
    return files


def fetch(version: str) -> Release:
    """Download ``version`` into a temporary folder and read its descriptors."""
    with tempfile.TemporaryDirectory(prefix="scalekit-upstream-") as tmp:
        wheel = download(version, Path(tmp))
        return Release(version, read_descriptors(wheel))
