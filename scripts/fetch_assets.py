"""Fetch the front-end packages of api/web/assets.json into api/web/static/vendor/.

Each package is downloaded from the npm registry with `npm pack` at its exact version, its
tarball's SHA-512 compared with the integrity pinned in assets.json (a mismatch stops
everything and keeps nothing), and only the listed files are kept, beside a LICENCES.md
that names each package, its version and licence. Run by scripts/bootstrap.sh when a file is
missing or assets.json changed; safe to run again.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "api" / "web" / "assets.json"
VENDOR = ROOT / "api" / "web" / "static" / "vendor"
STAMP = VENDOR / ".assets.json"


class AssetError(Exception):
    pass


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch(package: dict[str, object], into: Path, work: Path) -> None:
    spec = f"{package['name']}@{package['version']}"
    done = subprocess.run(
        ["npm", "pack", spec, "--pack-destination", str(work), "--silent"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise AssetError(f"npm pack {spec}: {done.stderr.strip().splitlines()[-1:]}")
    unpack((work / done.stdout.strip().splitlines()[-1]).read_bytes(), package, into)


def unpack(data: bytes, package: dict[str, object], into: Path) -> None:
    """Keep the listed files of a package's tarball under into/NAME/, if the tarball's
    SHA-512 is the integrity pinned for it; AssetError otherwise, with nothing written."""
    spec = f"{package['name']}@{package['version']}"
    if integrity_of(data) != package["integrity"]:
        raise AssetError(f"{spec}: the tarball's integrity is not the one pinned in assets.json")
    kept: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for name in package["files"]:  # type: ignore[attr-defined]
            try:
                member = archive.extractfile(f"package/{name}")
            except KeyError:
                member = None
            if member is None:
                raise AssetError(f"{spec} has no file {name}")
            kept[name] = member.read()
    for name, content in kept.items():
        target = into / str(package["name"]) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def licences(packages: list[dict[str, object]]) -> str:
    lines = ["# Front-end packages served by custody", "", "| package | version | licence | for |"]
    lines.append("| --- | --- | --- | --- |")
    for p in packages:
        lines.append(f"| {p['name']} | {p['version']} | {p['license']} | {p['used_for']} |")
    lines += ["", "Each package's own licence text is in its folder beside this file."]
    return "\n".join(lines) + "\n"


def main() -> int:
    manifest = MANIFEST.read_text()
    if STAMP.exists() and STAMP.read_text() == manifest:
        return 0
    packages = json.loads(manifest)["packages"]
    staging = Path(tempfile.mkdtemp(prefix="custody-assets-"))
    try:
        fresh = staging / "vendor"
        for package in packages:
            print(f"fetch-assets: {package['name']}@{package['version']}", file=sys.stderr)
            fetch(package, fresh, staging)
        (fresh / "LICENCES.md").write_text(licences(packages))
        (fresh / ".assets.json").write_text(manifest)
        shutil.rmtree(VENDOR, ignore_errors=True)
        VENDOR.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(fresh), VENDOR)
    except AssetError as exc:
        print(f"fetch-assets: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
