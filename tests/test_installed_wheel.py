"""The project installs like any Python tool: from its wheel, outside the repository.

The wheel is built (``pip wheel --no-deps --no-build-isolation``: offline, with the pinned
setuptools of the test dependencies) and installed (``pip --python VENV install --no-deps
--no-index``) into a fresh virtual environment under a temporary directory. The dependencies
are not downloaded again: a ``.pth`` file puts this environment's ``site-packages`` on the new
environment's path *after* its own. Python does not process ``.pth`` files of a directory
named in a ``.pth`` file, so this checkout's editable install (a ``.pth`` hook) stays inactive
and every import of ``mock_server``, ``conformance`` and ``api_contracts`` comes from the wheel,
which the first test asserts. Everything then runs from the temporary directory: the
``mock-server`` script, ``conformance run`` for both APIs and the pytest plugin.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from support import JSONAPI, ROOT, SONIA, SPENCOR, free_port

PACKAGES = ("mock_server", "conformance", "api_contracts")
SOURCES = ("pyproject.toml", "README.md", "specs", *PACKAGES)
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


@dataclass
class Installed:
    """A virtual environment holding only the wheel, and a directory outside the repository."""

    venv: Path
    workdir: Path
    env: dict[str, str]

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args),
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _checked(args: list[str], cwd: Path) -> None:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("installed")
    assert not root.resolve().is_relative_to(ROOT.resolve())
    source, wheelhouse, venv = root / "source", root / "wheelhouse", root / "venv"
    workdir = root / "work"
    workdir.mkdir()
    source.mkdir()
    for name in SOURCES:  # a copy, so that the build leaves nothing in the checkout
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, symlinks=True, ignore=IGNORED)
        else:
            shutil.copy2(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    _checked(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheelhouse), str(source)],
        cwd=root,
    )
    (wheel,) = wheelhouse.glob("returns_mock_harness-*.whl")
    _checked([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=root)
    python = venv / "bin" / "python"
    _checked(
        [*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)], root
    )
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, cwd=root,
    ).stdout.strip()  # fmt: skip
    Path(purelib, "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env |= {"PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", "PYTHONUNBUFFERED": "1"}
    return Installed(venv, workdir, env)


@pytest.fixture(scope="module")
def installed_mock(installed: Installed) -> Iterator[str]:
    """``mock-server`` of the installed wheel on a free port; its base URL."""
    port = free_port()
    log = (installed.workdir / "mock.log").open("w")
    process = subprocess.Popen(
        [installed.bin("mock-server"), "--port", str(port)],
        cwd=installed.workdir, env=installed.env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (installed.workdir / "mock.log").read_text()
            try:
                first = httpx.get(f"{url}/glue/return-reasons", headers={"Accept": JSONAPI})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the installed mock-server did not start"
                time.sleep(0.2)
        assert first.status_code == 200, first.text  # the first answer is already a 200
        assert first.json()["data"], first.text
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_every_import_and_contract_comes_from_the_wheel(installed: Installed) -> None:
    code = (
        f"import json; from pathlib import Path; import {', '.join(PACKAGES)}; "
        "from mock_server.apis import ALL_APIS; "
        f"files = [m.__file__ for m in ({', '.join(PACKAGES)})]; "
        "files += [str(Path(a.spec_file).resolve()) for a in ALL_APIS]; "
        "print(json.dumps(files))"
    )
    done = installed.run(installed.bin("python"), "-c", code)
    assert done.returncode == 0, done.stderr
    files = [Path(f) for f in json.loads(done.stdout)]
    assert len(files) > len(PACKAGES)
    for path in files:
        assert path.is_relative_to(installed.venv.resolve()) and path.is_file(), path


def test_conformance_run_passes_the_installed_mock_for_both_apis(
    installed: Installed, installed_mock: str
) -> None:
    accounts = httpx.get(f"{installed_mock}/__admin/accounts").json()
    basic = accounts["sendcloud"]["basic"][0]
    runs = {
        "glue": [
            "--base-url", f"{installed_mock}/glue", "--username", SONIA[0],
            "--password", SONIA[1], "--other-username", SPENCOR[0],
            "--other-password", SPENCOR[1],
        ],
        "sendcloud": [
            "--base-url", f"{installed_mock}/sendcloud/api/v2",
            "--basic", f"{basic['publicKey']}:{basic['secretKey']}",
        ],
    }  # fmt: skip
    for api, args in runs.items():
        done = installed.run(
            installed.bin("conformance"), "run", "--api", api, *args,
            "--phases", "examples", "--max-examples", "2", "--seed", "3",
            "--report-dir", str(installed.workdir / api),
        )  # fmt: skip
        assert done.returncode == 0, f"{api}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def test_pytest_plugin_of_the_installed_wheel(installed: Installed, installed_mock: str) -> None:
    basic = httpx.get(f"{installed_mock}/__admin/accounts").json()["sendcloud"]["basic"][0]
    done = installed.run(
        installed.bin("python"), "-m", "pytest", "--pyargs", "conformance", "-q",
        "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:faker",
        "--conformance-api", "sendcloud",
        "--conformance-base-url", f"{installed_mock}/sendcloud/api/v2",
        "--conformance-basic", f"{basic['publicKey']}:{basic['secretKey']}",
        "--conformance-max-examples", "1", "--conformance-seed", "3",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert " passed" in done.stdout and "failed" not in done.stdout, done.stdout[-2000:]
