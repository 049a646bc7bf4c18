"""A batch of leaflets built for printing: the codes stored, a PDF and a PNG per leaflet, the
combined PDFs for the print shop and leaflets.csv for organisers, every file written
atomically; and the ZIP the organiser pages download."""

from __future__ import annotations

import csv
import errno
import io
import os
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..content import Content
from ..models import Leaflet
from .codes import leaflet_url
from .errors import LeafletError
from .pdf import LAYOUTS, render_pdf, split_pdf
from .png import render_png
from .store import get_or_create_leaflets, place_of

CSV_COLUMNS = ("code", "url", "topic", "lang", "commune_code", "commune", "province")


@dataclass
class BuildResult:
    """What a build made: the leaflets and every file written, combined PDFs first."""

    leaflets: list[Leaflet]
    combined: dict[str, Path] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def build_steps(n_leaflets: int) -> int:
    """How many times `build` calls its progress callback for n leaflets."""
    return 2 * n_leaflets


def write_atomic(path: Path, data: bytes, made: int = 0) -> Path:
    """Write a file under a temporary name, then rename it: neither a reader nor an
    interrupted run ever leaves half a file. A full disk or another write error is a
    LeafletError saying which file and that the `made` codes already stored stay valid."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException as exc:  # a full disk, or Ctrl-C in the middle of a write
        tmp.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        what = "disk full" if exc.errno == errno.ENOSPC else "cannot write"
        raise LeafletError(
            f"{what} while writing {path}: {exc.strerror or exc}; "
            f"the {made} leaflet codes already made stay valid, "
            "free some space and run the same command again"
        ) from exc
    return path


def leaflets_csv(leaflets: Sequence[Leaflet], public_url: str) -> bytes:
    """The list of leaflets for organisers (UTF-8 with BOM, so spreadsheet programs show the
    Vietnamese names right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for leaflet in leaflets:
        commune_name, province_name = place_of(leaflet.commune_code)
        writer.writerow(
            (
                leaflet.code,
                leaflet_url(public_url, leaflet.code),
                leaflet.topic_id,
                leaflet.lang,
                "" if leaflet.commune_code is None else leaflet.commune_code,
                commune_name,
                province_name,
            )
        )
    return out.getvalue().encode("utf-8-sig")


def build(
    topic_id: str,
    lang: str,
    commune_codes: Iterable[int | None],
    out_dir: Path | str,
    content: Content,
    public_url: str,
    progress: Callable[[int], None] | None = None,
    layouts: Sequence[str] = LAYOUTS,
) -> BuildResult:
    """Make (or reuse) the leaflets and write, in out_dir: `<code>.pdf` and `<code>.png` each,
    the combined `leaflets-<topic>-<lang>.pdf` (A5) and `...-a4-2up.pdf`, and `leaflets.csv`.
    Re-running reuses the codes and overwrites the files. `progress(1)` is called
    `build_steps(n)` times in all."""
    leaflets = get_or_create_leaflets(topic_id, lang, commune_codes, content)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LeafletError(f"cannot create {out}: {exc.strerror or exc}") from exc
    result = BuildResult(leaflets)
    tick = (lambda: progress(1)) if progress else None
    save = lambda name, data: result.files.append(write_atomic(out / name, data, len(leaflets)))  # noqa: E731
    a5 = render_pdf(leaflets, content, public_url, "a5", on_leaflet=tick)
    for layout in layouts:
        suffix = "" if layout == "a5" else f"-{layout}"
        pdf = a5 if layout == "a5" else render_pdf(leaflets, content, public_url, layout)
        save(f"leaflets-{topic_id}-{lang}{suffix}.pdf", pdf)
        result.combined[layout] = result.files[-1]
    for leaflet, page in zip(leaflets, split_pdf(a5), strict=True):
        save(f"{leaflet.code}.pdf", page)
        save(f"{leaflet.code}.png", render_png(leaflet, content, public_url))
        if tick:
            tick()
    save("leaflets.csv", leaflets_csv(leaflets, public_url))
    return result


def zip_build(paths: Iterable[Path]) -> bytes:
    """A ZIP of a build's files, for download from the organiser pages. PDFs and PNGs are
    compressed already and stored as they are."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in paths:
            method = zipfile.ZIP_STORED if path.suffix in (".pdf", ".png") else zipfile.ZIP_DEFLATED
            archive.write(path, arcname=path.name, compress_type=method)
    return buffer.getvalue()
