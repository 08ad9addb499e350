#!/usr/bin/env python3
"""Copy the front-end files the project serves from npm packages into frontend/vendor/.

The site loads nothing from a CDN: every third-party script or stylesheet is a static file of
ours. Those that come from npm (those that Python packages do not ship) are fetched here with
`npm pack` at a pinned version, checked against the registry's recorded sha512, and only the
files the pages use are copied, with the package's licence. The copies are committed, so
neither `make run` nor CI needs npm or the network; run this script again to change a version:

    python3 scripts/vendor_frontend.py
"""

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DESTINATION = ROOT / "frontend" / "vendor"

# name, version, the tarball's sha512 as the registry records it, files to keep (path in the
# package -> path under frontend/vendor/<name>/).
PACKAGES = [
    (
        "leaflet.markercluster",
        "1.5.3",
        "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==",
        {
            "dist/leaflet.markercluster.js": "leaflet.markercluster.js",
            "dist/MarkerCluster.css": "MarkerCluster.css",
            "dist/MarkerCluster.Default.css": "MarkerCluster.Default.css",
            "MIT-LICENCE.txt": "LICENSE.txt",
        },
    ),
    (
        "axe-core",
        "4.10.3",
        "sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg==",
        {
            "axe.min.js": "axe.min.js",
            "locales/fr.json": "fr.json",
            "LICENSE": "LICENSE.txt",
        },
    ),
]


def sha512_integrity(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


def vendor(name: str, version: str, integrity: str, files: dict[str, str], workdir: Path) -> None:
    out = subprocess.run(  # noqa: S603 -- fixed arguments, pinned names
        ["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(workdir)],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = workdir / json.loads(out.stdout)[0]["filename"]
    if sha512_integrity(tarball) != integrity:
        sys.exit(f"{name}@{version}: the tarball does not match the pinned sha512")
    target = DESTINATION / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with tarfile.open(tarball) as archive:
        for source, dest in files.items():
            member = archive.extractfile(f"package/{source}")
            if member is None:
                sys.exit(f"{name}@{version}: {source} is not a file in the package")
            (target / dest).write_bytes(member.read())
    (target / "VERSION").write_text(f"{name}@{version} {integrity}\n")
    print(f"{name}@{version} -> {target.relative_to(ROOT)}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, version, integrity, files in PACKAGES:
            vendor(name, version, integrity, files, Path(tmp))


if __name__ == "__main__":
    main()
