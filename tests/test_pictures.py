"""Pictures: checked like text when a report is read, published without their metadata.

Hostile files (a text file named .png, an SVG, a decompression bomb, paths
leaving the report folder, a pipe) are refused with a problem placed on the
picture's ``path`` field; what renderers publish is re-encoded in the same
format, turned upright, scaled down and stripped of EXIF (GPS), comments and
text chunks; the HTML page shows each picture with its alt text in Chromium.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image

import civicrecord
from browser import chromium, describe_violations, open_page, run_axe
from civicrecord.model import Picture, Report
from civicrecord.pictures import (
    MAX_PICTURE_PIXELS,
    PictureError,
    check_pictures,
    pictures_of,
    published,
)
from civicrecord.problems import Problem
from civicrecord.schema import report_schema

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples" / "pictures-source"))
from estate_map import ALT, CREDIT, LICENCE, draw_estate_map  # noqa: E402


def image_bytes(image: Image.Image, kind: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels but holds almost no data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


@pytest.fixture
def report_dir(tmp_path: Path, example_dir: Path) -> Path:
    """A copy of the worked example with a pictures/ folder holding the estate map."""
    folder = tmp_path / "report"
    shutil.copytree(example_dir, folder)
    (folder / "pictures").mkdir()
    (folder / "pictures" / "map.png").write_bytes(image_bytes(draw_estate_map(), "PNG"))
    return folder


def with_cover(folder: Path, path: str, alt: str = "A picture of the estate") -> int:
    """Give the report a cover picture; return the line of its ``path:`` field."""
    main = folder / "report.yaml"
    text = main.read_text("utf-8")
    line = text.count("\n") + 3
    main.write_text(text + f"cover:\n  alt: {json.dumps(alt)}\n  path: {json.dumps(path)}\n",
                    "utf-8")
    return line


def only_problem(folder: Path) -> Problem:
    problems = [p for p in civicrecord.validate(folder) if p.is_error]
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def refused(folder: Path, path: str, *words: str) -> Problem:
    """Make ``path`` the cover and check the one error names it, its field and its line."""
    line = with_cover(folder, path)
    problem = only_problem(folder)
    assert problem.path == "cover.path"
    assert problem.location is not None
    assert Path(problem.location.file or "").name == "report.yaml"
    assert problem.location.line == line
    assert problem.hint
    for word in words:
        assert word in problem.message, problem.message
    return problem


# --- What is accepted ------------------------------------------------------------------


def test_the_format_is_read_from_the_bytes_not_the_name(report_dir: Path) -> None:
    shutil.copy(report_dir / "pictures" / "map.png", report_dir / "pictures" / "map.jpg")
    with_cover(report_dir, "pictures/map.jpg")
    report = civicrecord.load(report_dir)
    assert report.cover == Picture("pictures/map.jpg", "A picture of the estate")
    shown = published(report.cover, report_dir, 2000)
    assert shown.media_type == "image/png"
    assert Image.open(io.BytesIO(shown.content)).format == "PNG"


def test_pictures_stand_on_the_report_an_axis_and_an_action(report_dir: Path) -> None:
    axis_file = report_dir / "axes" / "mobilites.yaml"
    text = axis_file.read_text("utf-8")
    picture = "  - path: pictures/map.png\n    alt: Map of the estate\n"
    text += "pictures:\n" + picture
    text = text.replace("    status:", "    pictures:\n  " + picture.replace("\n    ", "\n      ")
                        + "    status:", 1)
    axis_file.write_text(text, "utf-8")
    with_cover(report_dir, "pictures/map.png")
    report = civicrecord.load(report_dir)
    where = [path for path, _ in pictures_of(report)]
    axis = next(a for a, axis in enumerate(report.axes) if axis.id == "mobilites")
    assert where == [("cover",), ("axes", axis, "pictures", 0),
                     ("axes", axis, "actions", 0, "pictures", 0)]


def test_a_symbolic_link_inside_the_folder_is_followed(report_dir: Path) -> None:
    (report_dir / "map-link.png").symlink_to(report_dir / "pictures" / "map.png")
    with_cover(report_dir, "map-link.png")
    assert civicrecord.validate(report_dir) == []


def test_a_report_without_pictures_never_loads_pillow(example_dir: Path) -> None:
    code = ("import sys, civicrecord; assert civicrecord.validate(sys.argv[1]) == []; "
            "civicrecord.render(civicrecord.load(sys.argv[1]), 'html'); "
            "assert 'PIL' not in sys.modules, 'Pillow was imported'")
    subprocess.run([sys.executable, "-c", code, str(example_dir)], check=True, timeout=120)


# --- What is refused -------------------------------------------------------------------


def test_a_text_file_named_png_is_refused(report_dir: Path) -> None:
    (report_dir / "pictures" / "notes.png").write_text("not a picture at all\n", "utf-8")
    refused(report_dir, "pictures/notes.png", "'pictures/notes.png'", "PNG, JPEG or WebP",
            "content, not its name")


def test_svg_is_refused_with_the_reason(report_dir: Path) -> None:
    (report_dir / "pictures" / "logo.svg").write_text(
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
        '<script>alert(1)</script></svg>\n', "utf-8")
    problem = refused(report_dir, "pictures/logo.svg", "SVG", "scripts")
    assert "PNG" in (problem.hint or "")


def test_a_gif_is_named_as_such(report_dir: Path) -> None:
    (report_dir / "pictures" / "anim.gif").write_bytes(
        image_bytes(Image.new("P", (8, 8)), "GIF"))
    refused(report_dir, "pictures/anim.gif", "a GIF file")


def test_a_decompression_bomb_is_refused_before_decoding(report_dir: Path) -> None:
    # 100,000 x 100,000 pixels in 100 bytes: beyond even Pillow's own limit. Were it
    # decoded, the missing data would give "cannot be decoded", not this message.
    (report_dir / "pictures" / "bomb.png").write_bytes(png_header_only(100_000, 100_000))
    refused(report_dir, "pictures/bomb.png", "too many pixels", "decompression bomb")


def test_a_picture_over_the_pixel_limit_is_refused_before_decoding(report_dir: Path) -> None:
    side = int(MAX_PICTURE_PIXELS**0.5) + 1  # within Pillow's limit, over ours
    (report_dir / "pictures" / "big.png").write_bytes(png_header_only(side, side))
    refused(report_dir, "pictures/big.png", "too many pixels", f"{side} × {side}")


def test_a_truncated_picture_is_refused(report_dir: Path) -> None:
    content = image_bytes(Image.effect_noise((200, 200), 60).convert("RGB"), "JPEG")
    (report_dir / "pictures" / "cut.jpg").write_bytes(content[: len(content) // 2])
    refused(report_dir, "pictures/cut.jpg", "cannot be decoded")


@pytest.mark.parametrize(("path", "words"), [
    ("../outside.png", ("leaves the report folder",)),
    ("pictures/../../outside.png", ("leaves the report folder",)),
    ("pictures\\..\\..\\outside.png", ("leaves the report folder",)),
    ("/etc/passwd", ("absolute path",)),
    ("C:\\Windows\\win.ini", ("absolute path",)),
    ("pictures/missing.png", ("not found",)),
    ("pictures", ("is a folder",)),
    ("   ", ("empty",)),
])
def test_paths_stay_inside_the_report_folder(report_dir: Path, path: str,
                                             words: tuple[str, ...]) -> None:
    (report_dir.parent / "outside.png").write_bytes(image_bytes(Image.new("L", (4, 4)), "PNG"))
    problem = refused(report_dir, path, *words)
    assert "outside.png" not in (problem.hint or "")


def test_a_symbolic_link_leading_outside_is_refused(report_dir: Path) -> None:
    outside = report_dir.parent / "secret.png"
    outside.write_bytes(image_bytes(Image.new("L", (4, 4)), "PNG"))
    (report_dir / "pictures" / "link.png").symlink_to(outside)
    refused(report_dir, "pictures/link.png", "symbolic link")
    (report_dir / "linked").symlink_to(report_dir.parent, target_is_directory=True)
    problem = only_problem(report_dir)  # the cover is still the first link
    assert "symbolic link" in problem.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_named_pipe_is_refused_without_waiting_on_it(report_dir: Path) -> None:
    os.mkfifo(report_dir / "pictures" / "pipe.png")
    refused(report_dir, "pictures/pipe.png", "not a regular file")


def test_alt_text_is_required_and_says_something(report_dir: Path) -> None:
    with_cover(report_dir, "pictures/map.png", alt="  ")
    problem = only_problem(report_dir)
    assert (problem.path, problem.message) == ("cover.alt", "alt text is empty")
    (report_dir / "report.yaml").write_text(
        (report_dir / "report.yaml").read_text("utf-8").replace('  alt: "  "\n', ""), "utf-8")
    problem = only_problem(report_dir)
    assert problem.path == "cover.alt" and "missing" in problem.message


def test_publishing_an_unchecked_picture_raises_a_render_error(tmp_path: Path) -> None:
    with pytest.raises(civicrecord.RenderError, match="leaves the report folder"):
        published(Picture("../x.png", "x"), tmp_path, 100)
    with pytest.raises(PictureError, match="none was given"):
        published(Picture("x.png", "x"), None, 100)


# --- What is published -----------------------------------------------------------------


def gps_photo() -> bytes:
    """A 60 x 30 JPEG, red left half, blue right, with GPS, a comment and orientation 6."""
    image = Image.new("RGB", (60, 30), (220, 0, 0))
    image.paste((0, 0, 220), (30, 0, 60, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # shown turned 90 degrees clockwise
    exif[ExifTags.Base.Make] = "SecretCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (45.0, 34.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (5.0, 55.0, 30.0)
    return image_bytes(image, "JPEG", exif=exif, comment=b"home of the photographer",
                       quality=95)


def test_exif_orientation_is_applied_and_gps_stripped(tmp_path: Path) -> None:
    original = gps_photo()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    (tmp_path / "photo.jpg").write_bytes(original)
    shown = published(Picture("photo.jpg", "A photo"), tmp_path, 1000)
    assert shown.media_type == "image/jpeg"
    image = Image.open(io.BytesIO(shown.content))
    assert image.format == "JPEG"
    assert (image.width, image.height) == (shown.width, shown.height) == (30, 60)
    assert len(image.getexif()) == 0
    assert not {"exif", "comment", "icc_profile", "xmp"} & set(image.info)
    for secret in (b"Exif", b"SecretCam", b"home of", b"GPS"):
        assert secret not in shown.content
    # Turned clockwise, the left (red) half is now the top.
    rgb = image.convert("RGB")
    top, bottom = rgb.getpixel((15, 10)), rgb.getpixel((15, 50))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]


def test_a_cameras_multi_picture_jpeg_is_published_as_a_jpeg(tmp_path: Path) -> None:
    red, blue = Image.new("RGB", (40, 20), (220, 0, 0)), Image.new("RGB", (8, 4), (0, 0, 220))
    (tmp_path / "mpo.jpg").write_bytes(image_bytes(red, "MPO", save_all=True,
                                                   append_images=[blue]))
    shown = published(Picture("mpo.jpg", "red"), tmp_path, 100)
    image = Image.open(io.BytesIO(shown.content))
    assert (shown.media_type, image.format, image.size) == ("image/jpeg", "JPEG", (40, 20))
    assert getattr(image, "n_frames", 1) == 1


def test_png_text_and_webp_metadata_are_stripped(tmp_path: Path) -> None:
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Jane Secret")
    (tmp_path / "a.png").write_bytes(image_bytes(Image.new("RGBA", (20, 10), (9, 9, 9, 99)),
                                                 "PNG", pnginfo=text))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    (tmp_path / "b.webp").write_bytes(image_bytes(Image.new("RGB", (20, 10)), "WEBP",
                                                  exif=exif, xmp=b"<x>Jane Secret</x>"))
    palette = Image.new("P", (20, 10), 0)
    (tmp_path / "p.png").write_bytes(image_bytes(palette, "PNG", transparency=0, pnginfo=text))
    see_through = published(Picture("p.png", "p"), tmp_path, 100)
    image = Image.open(io.BytesIO(see_through.content))
    assert image.mode == "P" and image.info["transparency"] == 0
    assert b"Secret" not in see_through.content
    png = published(Picture("a.png", "a"), tmp_path, 100)
    webp = published(Picture("b.webp", "b"), tmp_path, 100)
    assert (png.media_type, webp.media_type) == ("image/png", "image/webp")
    assert Image.open(io.BytesIO(png.content)).mode == "RGBA"
    # A format the caller cannot show (Word shows no WebP) is published as PNG.
    as_png = published(Picture("b.webp", "b"), tmp_path, 10, formats=("PNG", "JPEG"))
    assert as_png.media_type == "image/png" and (as_png.width, as_png.height) == (10, 5)
    assert Image.open(io.BytesIO(as_png.content)).format == "PNG"
    for shown in (png, webp, as_png):
        assert b"Secret" not in shown.content and b"Exif" not in shown.content


@settings(max_examples=20, deadline=None)
@given(width=st.integers(1, 300), height=st.integers(1, 300), max_width=st.integers(1, 400),
       kind=st.sampled_from(["PNG", "JPEG", "WEBP"]))
def test_published_pictures_fit_keep_their_shape_and_format_and_repeat(
        tmp_path_factory: pytest.TempPathFactory, width: int, height: int, max_width: int,
        kind: str) -> None:
    folder = tmp_path_factory.mktemp("picture")
    source = Image.effect_noise((width, height), 40).convert("RGB")
    (folder / "p").write_bytes(image_bytes(source, kind))
    first = published(Picture("p", "noise"), folder, max_width)
    assert first == published(Picture("p", "noise"), folder, max_width)  # same bytes
    image = Image.open(io.BytesIO(first.content))
    assert image.format == kind and image.size == (first.width, first.height)
    assert first.width == min(width, max_width)
    if width > max_width:  # the shape is kept to within a pixel
        assert abs(first.height - height * max_width / width) <= 1


# --- Renderers ---------------------------------------------------------------------------


@pytest.fixture
def pictured(report_dir: Path) -> tuple[Report, Path]:
    """The example with the estate map as its cover and on its first action."""
    with_cover(report_dir, "pictures/map.png")
    report = civicrecord.load(report_dir)
    first = report.axes[0]
    action = attrs.evolve(first.actions[0], pictures=(
        Picture("pictures/map.png", ALT, caption="The estate in 2025", credit=CREDIT,
                licence=LICENCE),))
    axes = (attrs.evolve(first, actions=(action, *first.actions[1:])), *report.axes[1:])
    wide = draw_estate_map().resize((3000, 1875))
    (report_dir / "pictures" / "wide.png").write_bytes(image_bytes(wide, "PNG"))
    report = attrs.evolve(report, axes=axes,
                          cover=Picture("pictures/wide.png", "Cover: the estate seen from above"))
    assert check_pictures(report, report_dir) == []
    return report, report_dir


def test_json_holds_what_the_model_says(pictured: tuple[Report, Path]) -> None:
    report, folder = pictured
    document = json.loads(civicrecord.render(report, "json", base_dir=folder))
    jsonschema.validate(document, report_schema())
    assert document["cover"] == {"path": "pictures/wide.png",
                                 "alt": "Cover: the estate seen from above",
                                 "caption": None, "credit": None, "licence": None}
    assert document["axes"][0]["actions"][0]["pictures"] == [{
        "path": "pictures/map.png", "alt": ALT, "caption": "The estate in 2025",
        "credit": CREDIT, "licence": LICENCE}]


def test_html_needs_the_report_folder_for_pictures(pictured: tuple[Report, Path]) -> None:
    report, _ = pictured
    with pytest.raises(civicrecord.RenderError, match="none was given"):
        civicrecord.render(report, "html")


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    with chromium(chromium_path) as launched:
        yield launched


@pytest.mark.chromium
def test_html_shows_each_picture_with_its_alt_text(browser: Any,
                                                   pictured: tuple[Report, Path]) -> None:
    report, folder = pictured
    html = civicrecord.render(report, "html", base_dir=folder).decode("utf-8")
    assert "pictures/map.png" not in html  # embedded, never linked
    with open_page(browser, html, bypass_csp=True) as watch:
        page = watch.page
        images = page.evaluate("""() => [...document.querySelectorAll('figure.picture img')]
            .map(img => ({alt: img.alt, loaded: img.complete && img.naturalWidth > 0,
                          natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
                          src: img.src.slice(0, 22),
                          caption: img.closest('figure').querySelector('figcaption')
                                   ?.textContent.replace(/\\s+/g, ' ').trim() ?? null}))""")
        assert [(i["alt"], i["caption"]) for i in images] == [
            ("Cover: the estate seen from above", None),
            (ALT, f"The estate in 2025 {CREDIT}, {LICENCE}"),
        ]
        # Scaled down to twice the widest the page shows a picture (704 CSS pixels).
        assert [i["natural"] for i in images] == [1408, 960]
        for image in images:
            assert image["loaded"] and image["src"] == "data:image/png;base64,"
            assert 0 < image["shown"] <= 704
        results = run_axe(page)
        assert results["violations"] == [], describe_violations(results["violations"])
        assert watch.console_errors == [] and watch.requests == []


def test_html_pictures_work_under_a_users_sandboxed_templates(
        pictured: tuple[Report, Path], tmp_path: Path) -> None:
    report, folder = pictured
    templates = tmp_path / "templates"
    (templates / "partials").mkdir(parents=True)
    (templates / "partials" / "footer.html.j2").write_text("<footer></footer>\n", "utf-8")
    html = civicrecord.render(report, "html", base_dir=folder, template_dir=templates)
    assert html.count(b'<img class="picture__image" src="data:image/png;base64,') == 2
    assert f'alt="{ALT}"'.encode() in html


def test_the_english_example_has_the_drawn_map_on_its_cover() -> None:
    """examples/larkfield's cover is what estate_map.py draws, with the script's alt text."""
    folder = ROOT / "examples" / "larkfield"
    report = civicrecord.load(folder)
    assert report.cover == Picture("pictures/larkfield-map.png", ALT,
                                   caption="Larkfield and the places this report names",
                                   credit=CREDIT, licence=LICENCE)
    committed = folder / report.cover.path
    assert committed.read_bytes() == image_bytes(draw_estate_map(), "PNG", optimize=True)
    assert committed.stat().st_size < 50_000
    html = civicrecord.render(report, "html", base_dir=folder)
    assert f'alt="{ALT}"'.encode() in html
