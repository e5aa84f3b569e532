"""`make test` installs every Debian package the browser tests' Playwright driver links against.

On a minimal Debian 12 the driver's `node` failed with `libatomic.so.1: cannot open shared object
file`: libatomic1 is not part of a minimal install. Each library `node` needs must come from a
package scripts/test.sh installs, or from one that apt itself depends on (always present).
"""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.processes import ROOT

ON_EVERY_DEBIAN = {"libc6", "libgcc-s1", "libstdc++6"}  # apt's own dependencies


def packages_test_sh_installs() -> set[str]:
    line = next(l for l in (ROOT / "scripts" / "test.sh").read_text().splitlines() if "system-deps.sh" in l)
    return set(line.split("#", 1)[0].split("system-deps.sh", 1)[1].split())


def debian_package(library: str) -> str | None:
    for path in {library, str(Path(library).resolve()), re.sub(r"^/usr/lib/", "/lib/", str(Path(library).resolve()))}:
        found = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.split(":", 1)[0]
    return None


def test_the_playwright_driver_finds_all_its_libraries_after_make_test():
    playwright = pytest.importorskip("playwright")
    node = Path(playwright.__file__).parent / "driver" / "node"
    if not (node.exists() and shutil.which("ldd") and shutil.which("dpkg")):
        pytest.skip("needs Debian (dpkg) and Playwright's driver")
    libraries = re.findall(r"=> (/\S+)", subprocess.run(["ldd", str(node)], capture_output=True, text=True).stdout)
    packages = {debian_package(lib) for lib in libraries} - {None}
    assert "libatomic1" in packages  # what a minimal Debian 12 lacks
    assert packages - ON_EVERY_DEBIAN <= packages_test_sh_installs(), "add these to scripts/test.sh's system-deps.sh line"
