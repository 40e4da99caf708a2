"""`newsgraph graphiql-assets`: GraphiQL's files, fetched from the npm registry.

Each pinned file (`newsgraph.http.graphiql.ASSETS`) is taken from its package's tarball
and checked against its subresource integrity hash before it is written, so the server
serves under `/graphql/static/` exactly the bytes the page's `integrity` attributes
name. Files already present and matching are not fetched again; a file is written under
a temporary name and renamed, so a server never serves half of one.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path

from newsgraph.errors import AssetError
from newsgraph.http.graphiql import ASSETS, Asset

__all__ = ["DEFAULT_REGISTRY", "fetch_assets"]

DEFAULT_REGISTRY = "https://registry.npmjs.org"
TIMEOUT_S = 60


def integrity(content: bytes) -> str:
    """The subresource integrity value (sha384) of `content`."""
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


def tarball_url(registry: str, package: str, version: str) -> str:
    """Where the npm registry keeps a package version's tarball."""
    name = package.rsplit("/", 1)[-1]
    return f"{registry.rstrip('/')}/{package}/-/{name}-{version}.tgz"


def fetch_assets(
    directory: Path, *, registry: str = DEFAULT_REGISTRY, assets: Iterable[Asset] = ASSETS
) -> list[Path]:
    """Put every asset into `directory` (`<package>@<version>/<file>`); the files written.

    Raises `AssetError` naming the file or URL when a tarball cannot be fetched, lacks a
    file, or holds one that does not match its pin.
    """
    missing = [a for a in assets if not _current(directory / a.path, a.integrity)]
    written = []
    for (package, version), wanted in _by_package(missing).items():
        url = tarball_url(registry, package, version)
        files = _extract(_download(url), url, [asset.file for asset in wanted])
        for asset in wanted:
            content = files[asset.file]
            actual = integrity(content)
            if actual != asset.integrity:
                raise AssetError(
                    f"{asset.path} from {url} is {actual}, not the pinned {asset.integrity}: "
                    "the registry served other bytes; nothing of it was written"
                )
            target = directory / asset.path
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            partial.write_bytes(content)
            partial.replace(target)
            written.append(target)
    return written


def _current(file: Path, pinned: str) -> bool:
    return file.is_file() and integrity(file.read_bytes()) == pinned


def _by_package(assets: Iterable[Asset]) -> dict[tuple[str, str], list[Asset]]:
    grouped: dict[tuple[str, str], list[Asset]] = {}
    for asset in assets:
        grouped.setdefault((asset.package, asset.version), []).append(asset)
    return grouped


def _download(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            content: bytes = response.read()
            return content
    except urllib.error.HTTPError as exc:
        raise AssetError(f"could not fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AssetError(f"could not fetch {url}: {reason}") from None


def _extract(tarball: bytes, url: str, names: list[str]) -> dict[str, bytes]:
    """The files `names` (paths inside the package) of an npm tarball."""
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            for member in archive.getmembers():
                # npm tarballs hold one top folder, `package/` for nearly every package
                inside = member.name.split("/", 1)[-1]
                if inside in names and member.isfile():
                    extracted = archive.extractfile(member)
                    assert extracted is not None  # a regular file has content
                    found[inside] = extracted.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise AssetError(f"{url} is not a readable npm tarball: {exc}") from None
    absent = sorted(set(names) - found.keys())
    if absent:
        raise AssetError(f"{url} holds no {', '.join(absent)}")
    return found
