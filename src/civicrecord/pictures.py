"""Pictures: checked like text when a report is read, published without their metadata.

A picture is a file inside the report folder (:class:`civicrecord.model.Picture`).
It is trusted no more than the report's text:

- its path stays inside the report folder: no absolute path, no ``..``, no
  symbolic link leading out, and only a regular file (never a pipe or a device);
- its format is read from its bytes, never its name: PNG, JPEG or WebP. SVG is
  refused, as it is a program as much as a picture (scripts, outside requests);
- its size and its number of pixels are limited, and the pixel count is checked
  from the header before anything is decoded, so a small file that would
  decompress into gigabytes (a decompression bomb) is refused at once.

What renderers publish is never the file itself: :func:`published` applies the
EXIF orientation, re-encodes the pixels in the same format, scaled down to the
width the format shows, and keeps no metadata (EXIF with its GPS position,
XMP, comments, colour profiles: colours are converted to sRGB first). The same
file gives the same bytes.

Pillow is imported on first use, so ``import civicrecord`` and a report without
pictures never load it.
"""

from __future__ import annotations

import base64
import io
import os
import stat
import warnings
from collections.abc import Collection, Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

from attrs import field, frozen

from civicrecord.model import Picture, Report
from civicrecord.problems import PathKey, Problem, Severity, format_path
from civicrecord.renderer import RenderError

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "MAX_PICTURE_BYTES",
    "MAX_PICTURE_PIXELS",
    "MEDIA_TYPES",
    "PictureError",
    "PublishedPicture",
    "check_pictures",
    "pictures_of",
    "published",
]

#: Largest picture file accepted, in bytes: a camera's full-size JPEG fits.
MAX_PICTURE_BYTES = 25_000_000
#: Most pixels a picture may have (a 50-megapixel camera's photo), checked before decoding.
MAX_PICTURE_PIXELS = 50_000_000
#: The formats accepted, as Pillow names them, and their media types.
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
#: JPEG and WebP quality of published pictures: no visible loss, a third of the bytes.
_QUALITY = 90

# First bytes of formats people often have, so the message can name them.
_OTHER_FORMATS = (
    (b"GIF8", "GIF"), (b"%PDF", "PDF"), (b"BM", "BMP"), (b"II*\0", "TIFF"),
    (b"MM\0*", "TIFF"), (b"\0\0\0\x0cjP", "JPEG 2000"),
)


class PictureError(RenderError):
    """A picture cannot be read or published; ``hint`` says what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(f"{message} ({hint})")
        self.message = message
        self.hint = hint


@frozen
class PublishedPicture:
    """A picture as renderers publish it: re-encoded bytes without metadata."""

    content: bytes = field(repr=False)
    media_type: str
    width: int
    """In pixels, after the EXIF orientation is applied and the picture scaled down."""
    height: int

    @property
    def data_uri(self) -> str:
        """The picture as a ``data:`` URI, for a page or a file that embeds it."""
        return f"data:{self.media_type};base64,{base64.b64encode(self.content).decode('ascii')}"


def pictures_of(report: Report) -> Iterator[tuple[PathKey, Picture]]:
    """Every picture of a report with its field path, in reading order."""
    if report.cover is not None:
        yield ("cover",), report.cover
    if report.logo is not None:
        yield ("logo",), report.logo
    for a, axis in enumerate(report.axes):
        for p, picture in enumerate(axis.pictures):
            yield ("axes", a, "pictures", p), picture
        for n, action in enumerate(axis.actions):
            for p, picture in enumerate(action.pictures):
                yield ("axes", a, "actions", n, "pictures", p), picture


def check_pictures(report: Report, base_dir: Path | None) -> list[Problem]:
    """Every problem with the report's pictures: alt text, path, file, format, size.

    ``base_dir`` is the report's folder. Each picture is opened and decoded as
    :func:`published` will, so a report that validates also renders.
    """
    problems: list[Problem] = []
    for path, picture in pictures_of(report):
        if not picture.alt.strip():
            problems.append(Problem(
                Severity.ERROR, format_path((*path, "alt")), "alt text is empty",
                "say what the picture shows for readers who cannot see it, "
                "e.g. 'Map of the estate: three blocks around a park'"))
        try:
            _decoded(picture, base_dir).close()
        except PictureError as error:
            problems.append(Problem(Severity.ERROR, format_path((*path, "path")),
                                    error.message, error.hint))
    return problems


def published(picture: Picture, base_dir: Path | None, max_width: int,
              formats: Collection[str] = tuple(MEDIA_TYPES)) -> PublishedPicture:
    """The picture as it is published, at most ``max_width`` pixels wide.

    The EXIF orientation is applied, colours are converted to sRGB, every
    piece of metadata is left out, and the pixels are written in the file's
    own format (PNG stays PNG, JPEG stays JPEG, WebP stays WebP) if it is one of
    ``formats`` (Pillow's names), which the caller can show, else as PNG (Word
    shows no WebP). A picture narrower than ``max_width`` keeps its size.
    Raises :class:`PictureError` (a :class:`~civicrecord.renderer.RenderError`)
    for a picture that fails the checks of :func:`check_pictures`: a report
    built in Python was never validated.
    """
    if max_width < 1:
        raise ValueError(f"max_width must be at least 1, not {max_width}")
    from PIL import Image, ImageOps

    source = _decoded(picture, base_dir)
    # A camera's JPEG holding a second, smaller picture is read as "MPO": the first is kept.
    kind = "JPEG" if source.format == "MPO" else source.format or ""
    kind = kind if kind in formats else "PNG"
    image = ImageOps.exif_transpose(source)  # a copy when it rotates
    image = _in_srgb(image, kind)
    if image.width > max_width:
        height = max(1, round(image.height * max_width / image.width))
        image = image.resize((max_width, height), Image.Resampling.LANCZOS)
    transparency = image.info.get("transparency")  # a palette's see-through colour
    image.info = {}  # EXIF, XMP, comments, profile, dpi: nothing is saved from it
    if transparency is not None and kind == "PNG":
        image.info["transparency"] = transparency
    out = io.BytesIO()
    if kind == "JPEG":
        image.save(out, "JPEG", quality=_QUALITY, optimize=True)
    elif kind == "WEBP":
        image.save(out, "WEBP", quality=_QUALITY, method=4)
    else:
        image.save(out, "PNG", optimize=True)
    return PublishedPicture(out.getvalue(), MEDIA_TYPES[kind], image.width, image.height)


def _in_srgb(image: Image.Image, kind: str) -> Image.Image:
    """The pixels in sRGB, in a mode the format can save, without a colour profile."""
    from PIL import ImageCms

    profile = image.info.get("icc_profile")
    if kind == "JPEG":
        wanted = "L" if image.mode in ("L", "1") else "RGB"
    elif image.mode in ("RGB", "RGBA", "L", "LA", "P", "1") and not profile:
        wanted = image.mode  # PNG and WebP keep palettes and transparency as they are
    else:
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        wanted = "RGBA" if has_alpha else "RGB"
    if kind == "WEBP" and wanted not in ("RGB", "RGBA"):
        wanted = "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
    if profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source_profile = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            output = "RGBA" if wanted in ("RGBA", "LA") else "RGB"
            converted = ImageCms.profileToProfile(
                image if image.mode != "L" else image.convert("RGB"), source_profile,
                ImageCms.createProfile("sRGB"), outputMode=output)
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels are taken as sRGB, as browsers do
    return image if image.mode == wanted else image.convert(wanted)


def _decoded(picture: Picture, base_dir: Path | None) -> Image.Image:
    """The picture's pixels, after every check; PictureError for anything wrong."""
    content = _read_confined(picture.path, base_dir)
    from PIL import Image, UnidentifiedImageError

    name = picture.path
    try:
        # Pillow warns above its own pixel limit and raises above twice it; the
        # lower limit of this module is checked just after, before any decoding.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content), formats=list(MEDIA_TYPES))
    except Image.DecompressionBombError as error:
        raise _too_many_pixels(name, "far over the limit") from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise _not_a_picture(name, content) from error
    width, height = image.size
    if width * height > MAX_PICTURE_PIXELS:
        image.close()
        raise _too_many_pixels(name, f"{width} × {height} pixels")
    try:
        image.load()
    except (OSError, ValueError, SyntaxError) as error:
        image.close()
        raise PictureError(f"picture {name!r} cannot be decoded: {error}",
                           "the file is damaged or cut short: export it again") from error
    return image


def _too_many_pixels(name: str, detail: str) -> PictureError:
    return PictureError(
        f"picture {name!r} has too many pixels ({detail}): more than "
        f"{MAX_PICTURE_PIXELS} (MAX_PICTURE_PIXELS); a file this small with this "
        "many pixels may be a decompression bomb",
        "scale the picture down (2,000 pixels wide is plenty for a report)")


def _not_a_picture(name: str, content: bytes) -> PictureError:
    start = content[:1024].lstrip().lower()
    if start.startswith((b"<svg", b"<?xml", b"<!doctype svg")) or b"<svg" in start:
        return PictureError(
            f"picture {name!r} is an SVG drawing, which civicrecord does not accept: "
            "SVG can hold scripts and links that a published report must not carry",
            "export it as PNG (for a drawing, map or logo) or WebP")
    found = next((kind for magic, kind in _OTHER_FORMATS if content.startswith(magic)), None)
    what = f"a {found} file" if found else "not a picture civicrecord can read"
    return PictureError(
        f"picture {name!r} is {what}: a picture must be a PNG, JPEG or WebP "
        "(the format is read from the file's content, not its name)",
        "save or export it as PNG, JPEG or WebP")


def _read_confined(name: str, base_dir: Path | None) -> bytes:
    """The bytes of ``name`` inside ``base_dir``; PictureError for anything else."""
    if not name.strip():
        raise PictureError("picture path is empty",
                           "give the picture's path inside the report folder, "
                           "e.g. 'pictures/map.png'")
    relative = PurePosixPath(name.replace("\\", "/"))
    if relative.is_absolute() or PureWindowsPath(name).anchor:
        raise PictureError(f"picture {name!r} is an absolute path",
                           "give a path inside the report folder, such as 'pictures/map.png'")
    if ".." in relative.parts:
        raise PictureError(f"picture {name!r} leaves the report folder ('..')",
                           "copy the picture into the report folder and give its path there")
    if base_dir is None:
        raise PictureError(f"picture {name!r} cannot be found: pictures are read from the "
                           "report's folder, and none was given",
                           "pass base_dir, the report's folder")
    root = base_dir.resolve()
    target = root.joinpath(*relative.parts).resolve()
    if not target.is_relative_to(root):
        raise PictureError(f"picture {name!r} leads outside the report folder through a "
                           "symbolic link", "copy the picture into the report folder")
    try:
        # Non-blocking, so a pipe (FIFO) named like a picture cannot hang the reader.
        descriptor = os.open(target, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise PictureError(f"picture {name!r} was not found in the report folder {root}",
                           "check the path: it is relative to the report folder") from None
    except OSError as error:
        raise PictureError(f"picture {name!r} cannot be read: {error.strerror}",
                           "check the file's permissions") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else \
                "not a regular file (a pipe, a device or a socket)"
            raise PictureError(f"picture {name!r} is {what}",
                               "give the path of a PNG, JPEG or WebP file")
        if info.st_size > MAX_PICTURE_BYTES:
            raise PictureError(
                f"picture {name!r} is {info.st_size} bytes, over the limit of "
                f"{MAX_PICTURE_BYTES} bytes (MAX_PICTURE_BYTES)",
                "scale it down or export it with more compression")
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            content = file.read(MAX_PICTURE_BYTES + 1)
    finally:
        os.close(descriptor)
    if not content:
        raise PictureError(f"picture {name!r} is an empty file", "export the picture again")
    if len(content) > MAX_PICTURE_BYTES:  # grew while being read
        raise PictureError(f"picture {name!r} is over the limit of {MAX_PICTURE_BYTES} "
                           "bytes (MAX_PICTURE_BYTES)", "scale it down")
    return content
