"""Derive ``proto/``, the contract and the parity fixture from a pinned release of the official SDK.

    python tools/update_api.py                       # re-derive at the pinned version (a no-op when current)
    python tools/update_api.py --upstream scalekit-sdk-python==2.22.0   # move the pin
    python tools/update_api.py --check               # fail when the tree differs from the pin (CI)
    python tools/update_api.py --dry-run --upstream ...   # print the changelog entry, write nothing

After writing it runs ``make generate``, the parity tests and ``buf breaking`` against HEAD; if any
step fails, or the changelog has breaking changes and ``--allow-breaking`` was not given, every file
it touched is put back as it was and it exits with a one-line reason.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT))

from api import changelog, render_contract, render_proto, upstream  # noqa: E402
from api.upstream import UpdateError  # noqa: E402
from google.protobuf import descriptor_pb2  # noqa: E402

from scalekit_py._contract import parse  # noqa: E402
from scalekit_py._contract.facts import facts  # noqa: E402

LOCK = ROOT / "upstream-api.lock"
PROTO = ROOT / "proto" / "scalekit_api"
CONTRACT = ROOT / "scalekit_py" / "_contract" / "scalekit-api.txt"
FIXTURE = ROOT / "tests" / "fixtures" / "upstream_api.json"
CHANGES = ROOT / "docs" / "api-changes.md"
GENERATED = ROOT / "generated"
CHANGES_HEAD = (
    "# API changes\n\nOne entry per move of the upstream pin (`upstream-api.lock`), written by\n"
    "`make update-api`. Breaking changes are listed first.\n"
)


def _well_known() -> dict[str, descriptor_pb2.FileDescriptorProto]:
    from google.protobuf import (
        any_pb2,
        duration_pb2,
        empty_pb2,
        field_mask_pb2,
        struct_pb2,
        timestamp_pb2,
        wrappers_pb2,
    )

    out = {}
    for mod in (any_pb2, duration_pb2, empty_pb2, field_mask_pb2, struct_pb2, timestamp_pb2, wrappers_pb2):
        fd = descriptor_pb2.FileDescriptorProto.FromString(mod.DESCRIPTOR.serialized_pb)
        out[fd.name] = fd
    return out


def current_pin() -> str:
    if not LOCK.exists():
        raise UpdateError(f"{LOCK.name} is missing: pass --upstream {upstream.PACKAGE}==X.Y.Z")
    return LOCK.read_text().strip()


def derive(version: str) -> dict[Path, str]:
    """Every file the pin determines, as ``{path: text}``."""
    release = upstream.fetch(version)
    files = {**_well_known(), **release.files}
    pin = f"{upstream.PACKAGE}=={version}"
    out: dict[Path, str] = {}
    for name, text in render_proto.render_all(files, version).items():
        out[ROOT / "proto" / name] = text
    out[CONTRACT] = render_contract.render(files, pin)
    chosen = [files[n] for n in render_proto.included_files(files)]
    out[FIXTURE] = json.dumps({"upstream": pin, **facts(chosen)}, indent=1, sort_keys=False) + "\n"
    out[LOCK] = pin + "\n"
    return out


def drift(wanted: dict[Path, str]) -> list[str]:
    """Files whose text differs from ``wanted``, plus stray ``.proto`` files."""
    out = [str(p.relative_to(ROOT)) for p, text in wanted.items() if not p.exists() or p.read_text() != text]
    out += [str(p.relative_to(ROOT)) for p in sorted(PROTO.rglob("*.proto")) if p not in wanted]
    return out


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tail = [ln for ln in (done.stdout + done.stderr).splitlines() if ln.strip()]
        raise UpdateError(f"{what} failed: {tail[-1] if tail else 'exit ' + str(done.returncode)}")


def _snapshot(dest: Path) -> None:
    for path in (ROOT / "proto", GENERATED):
        shutil.copytree(path, dest / path.name)
    for path in (CONTRACT, FIXTURE, LOCK, CHANGES):
        if path.exists():
            shutil.copy2(path, dest / path.name)


def _restore(src: Path) -> None:
    for path in (ROOT / "proto", GENERATED):
        shutil.rmtree(path, ignore_errors=True)
        shutil.copytree(src / path.name, path)
    for path in (CONTRACT, FIXTURE, LOCK, CHANGES):
        if (src / path.name).exists():
            shutil.copy2(src / path.name, path)
        elif path.exists():
            path.unlink()


def write(wanted: dict[Path, str], entry: str | None, verify: bool, allow_breaking: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="update-api-") as tmp:
        _snapshot(Path(tmp))
        try:
            shutil.rmtree(PROTO)
            for path, text in wanted.items():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
            if entry is not None:
                old = CHANGES.read_text() if CHANGES.exists() else CHANGES_HEAD
                head, _, rest = old.partition("\n## ")
                tail = "\n## " + rest if rest else ""
                CHANGES.write_text(head.rstrip("\n") + "\n\n" + entry.rstrip("\n") + "\n" + tail)
            if verify:
                _run(["make", "--no-print-directory", "generate"], "make generate")
                pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/proto"]
                _run(pytest, "parity test")
                if not allow_breaking and _head_has_proto():
                    _run(["buf", "breaking", "--against", ".git#ref=HEAD"], "buf breaking")
        except BaseException:
            _restore(Path(tmp))
            raise


def _head_has_proto() -> bool:
    cmd = ["git", "ls-tree", "HEAD", "proto"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    return done.returncode == 0 and bool(done.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--upstream", help=f"{upstream.PACKAGE}==X.Y.Z or 'latest' (default: the pinned version)")
    ap.add_argument("--check", action="store_true", help="fail when the tree differs from the pin")
    ap.add_argument("--dry-run", action="store_true", help="print the changelog entry, write nothing")
    ap.add_argument("--allow-breaking", action="store_true", help="accept breaking changes")
    ap.add_argument("--no-verify", action="store_true", help="skip make generate / parity / buf breaking")
    args = ap.parse_args(argv)
    try:
        old_pin = LOCK.read_text().strip() if LOCK.exists() else "the hand-written contract"
        if args.upstream == "latest":
            version = upstream.latest()
        else:
            version = upstream.parse_pin(args.upstream or current_pin())
        wanted = derive(version)
        if args.check:
            stale = drift(wanted)
            if stale:
                raise UpdateError(
                    f"proto/ and the contract differ from {wanted[LOCK].strip()} in {len(stale)} files "
                    f"(first: {stale[0]}): run 'make update-api' and commit the result"
                )
            print(f"update-api: proto/, contract and fixture match {wanted[LOCK].strip()}")
            return 0
        changes = changelog.compare(parse(CONTRACT.read_text()), parse(wanted[CONTRACT]))
        entry = None if changes.empty else changelog.entry(old_pin, wanted[LOCK].strip(), changes)
        if args.dry_run:
            print(entry or f"no API changes between {old_pin} and {wanted[LOCK].strip()}")
            return 0
        if changes.breaking and not args.allow_breaking:
            raise UpdateError(
                f"{len(changes.breaking)} breaking changes from {old_pin} to {wanted[LOCK].strip()} "
                f"(first: {changes.breaking[0]}); nothing written (--allow-breaking to accept)"
            )
        if not drift(wanted):
            print(f"update-api: already at {wanted[LOCK].strip()}; nothing changed")
            return 0
        write(wanted, entry, verify=not args.no_verify, allow_breaking=args.allow_breaking)
        print(f"update-api: now at {wanted[LOCK].strip()}" + (f"; {entry.splitlines()[2]}" if entry else ""))
        return 0
    except UpdateError as exc:
        print(f"update-api: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
