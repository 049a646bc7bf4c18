"""Leaflets: codes, QR codes that scan from the PNG and the printed PDF, Khmer and Vietnamese
text in the PDF, combined PDFs, a full disk, and `loa leaflets` end to end."""

from __future__ import annotations

import collections
import errno
import importlib
import io
import re
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from server import communes, leaflets
from server.cli import cli
from server.content import KEY_POINT_MAX
from server.extensions import db
from server.leaflets import linebreak, store
from server.models import Leaflet
from server.state import state
from tests.conftest import make_app

PUBLIC_URL = "https://loa.example.vn"
LAI_CHAU = 12
A5_POINTS = (419.5, 595.3)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield state(app).content


def lai_chau(n: int) -> list[int]:
    return [c.code for c in communes.communes_of(LAI_CHAU)][:n]


def stored_count() -> int:
    return db.session.execute(db.select(db.func.count()).select_from(Leaflet)).scalar_one()


def decode(image: Image.Image) -> list[str]:
    return sorted(result.text for result in zxingcpp.read_barcodes(image))


def pdf_page_images(pdf: Path, tmp_path: Path, dpi: int = 150) -> list[Image.Image]:
    """The pages of a PDF as a print shop's proof would show them (poppler's pdftoppm)."""
    prefix = tmp_path / f"{pdf.stem}-{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True)
    return [Image.open(p) for p in sorted(tmp_path.glob(f"{prefix.name}-*.png"))]


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def khmer_topic(content):
    topics = list(content.topics.get("km", {}).values())
    assert topics, "the content has no Khmer topic to print"
    return topics[0]


# -- codes ------------------------------------------------------------------------------------


def test_codes_are_short_and_unambiguous():
    codes = {leaflets.new_code() for _ in range(2000)}
    assert len(codes) > 1990  # 31⁵ bodies: random draws rarely meet; the database refuses repeats
    for code in codes:
        assert len(code) == 6 and set(code) <= set(leaflets.ALPHABET)
        assert not set(code) & set("01OIL")
        assert leaflets.code_is_valid(code)


def test_check_character_catches_one_wrong_character_and_swapped_neighbours():
    for _ in range(20):
        code = leaflets.new_code()
        for i, right in enumerate(code):
            for wrong in leaflets.ALPHABET.replace(right, ""):
                assert not leaflets.code_is_valid(code[:i] + wrong + code[i + 1 :])
        for i in range(len(code) - 1):
            if code[i] != code[i + 1]:
                assert not leaflets.code_is_valid(code[:i] + code[i + 1] + code[i] + code[i + 2 :])


def test_typed_codes_are_normalized():
    code = leaflets.new_code()
    typed = f" {code[:3].lower()}-{code[3:]} "
    assert leaflets.normalize_code(typed) == code
    assert leaflets.code_is_valid(leaflets.normalize_code(leaflets.display_code(code)))
    assert not leaflets.code_is_valid("ABC")
    assert not leaflets.code_is_valid(code[:-1] + "0")


def test_codes_import_no_pdf_or_image_library():
    """The sync and the page a QR code opens import the codes alone: not fpdf2 nor Pillow."""
    check = (
        "import sys, server.leaflets.codes, server.leaflets.scans; "
        "heavy = sorted({'fpdf', 'PIL', 'qrcode', 'uharfbuzz', 'pypdf'} & set(sys.modules)); "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", check], check=True, cwd=Path(__file__).resolve().parent.parent)


def test_every_re_exported_name_resolves():
    for name in leaflets.__all__:
        assert getattr(leaflets, name) is not None, name
    assert leaflets.render_png is importlib.import_module("server.leaflets.png").render_png
    with pytest.raises(AttributeError):
        leaflets.no_such_name  # noqa: B018


def test_codes_are_stored_once_and_reused(ctx):
    communes_wanted = [*lai_chau(30), None]

    def made():
        return [
            (leaflet.code, leaflet.commune_code)
            for leaflet in leaflets.get_or_create_leaflets("counterfeit", "vi", communes_wanted, ctx)
        ]

    first, again = made(), made()
    assert first == again
    assert [c for _, c in first] == communes_wanted
    assert len({code for code, _ in first}) == 31 == stored_count()
    other = leaflets.get_or_create_leaflets("counterfeit", "km", communes_wanted[:1], ctx)
    assert other[0].code not in {code for code, _ in first}
    assert other[0].province_code == LAI_CHAU


def test_a_random_code_already_taken_is_drawn_again(ctx, monkeypatch):
    [taken] = leaflets.get_or_create_leaflets("counterfeit", "vi", lai_chau(1), ctx)
    draws = iter([taken.code, taken.code])
    real = store.new_code
    monkeypatch.setattr(store, "new_code", lambda: next(draws, None) or real())
    [made] = leaflets.get_or_create_leaflets("complaints", "vi", lai_chau(1), ctx)
    assert made.code != taken.code and stored_count() == 2


@pytest.mark.parametrize(
    "field, args, named",
    [
        ("topic", ("no-such-topic", "vi", [None]), ["'no-such-topic'", "counterfeit"]),
        ("lang", ("counterfeit", "xx", [None]), ["'xx'", "vi", "km", "mww"]),
        (
            "commune",
            ("counterfeit", "vi", [lai_chau(1)[0], 99999999]),
            ["99999999", "official commune codes"],
        ),
    ],
)
def test_unknown_values_are_named_and_nothing_is_written(ctx, field, args, named):
    with pytest.raises(leaflets.LeafletError) as error:
        topic_id, lang, codes = args
        leaflets.get_or_create_leaflets(topic_id, lang, codes, ctx)
    assert all(word in str(error.value) for word in named), str(error.value)
    assert stored_count() == 0


# -- line breaking ----------------------------------------------------------------------------


def test_a_long_khmer_word_breaks_only_between_clusters():
    text = "អ្នកប្រើប្រាស់មានសិទ្ធិទទួលបានសំណងនៅពេលទំនិញបង្កការខូចខាតដល់សុខភាព"
    lines = leaflets.wrap(text, 9, len)
    assert "".join(lines) == text and len(lines) > 3
    for line in lines:
        assert not linebreak.is_khmer_mark(line[0]) and not unicodedata.combining(line[0])
        assert not line.endswith(linebreak.COENG)


@pytest.mark.parametrize(
    "point, title",
    [
        (
            "Người tiêu dùng có quyền được bồi thường, đổi hàng hoặc trả lại hàng khi hàng hóa không đúng chất lượng, "
            "số lượng như đã công bố",
            "Cách nhận biết hàng giả, hàng nhái, hàng kém chất lượng và quyền của người tiêu "
            "dùng khi mua phải hàng",
        ),
        (
            "អ្នកប្រើប្រាស់មានសិទ្ធិទទួលបានសំណង ប្តូរទំនិញ ឬប្រគល់ទំនិញវិញ នៅពេលទំនិញមិនត្រឹមត្រូវតាមគុណភាព "
            "បរិមាណ ដូចដែលបានប្រកាសនៅលើស្លាក",
            "របៀបសម្គាល់ទំនិញក្លែងក្លាយ ទំនិញគុណភាពអន់ និងសិទ្ធិរបស់អ្នកប្រើប្រាស់ នៅពេលទិញទំនិញដែលគ្មានប្រភពច្បាស់លាស់ពីអ្នកលក់",
        ),
    ],
)
def test_the_longest_content_allowed_fits_an_a5_page(point, title):
    """Six key points of the most characters the content check allows, a long title and the
    longest commune name still fit on A5 without overlapping the footer."""
    point = point[:KEY_POINT_MAX]
    text = leaflets.LeafletText(
        code="ABCDEF",
        url=leaflets.leaflet_url(PUBLIC_URL, "ABCDEF"),
        lang="km",
        header="ការពារសិទ្ធិអ្នកប្រើប្រាស់",
        title=title[:120],
        place="Phường Văn Miếu - Quốc Tử Giám · Thành phố Hà Nội",
        points=(point,) * 6,
        hotline_label="Tổng đài miễn phí",
        scan_hint="Quét mã",
        type_hint="Không quét được? Gõ mã này tại x/l",
    )
    page = leaflets.Page(0, 0, *leaflets.A5, leaflets.PDF_MARGIN)
    with leaflets.PdfCanvas(leaflets.A5) as canvas:
        layout = leaflets.plan_leaflet(canvas, text, page.inner_width, page.inner_height)
    assert layout.height <= page.inner_height
    assert min(p.size for p in layout.points) >= 8


def test_wrap_breaks_at_spaces_first():
    assert leaflets.wrap("Tổng đài miễn phí 1800.6838", 12, len) == ["Tổng đài", "miễn phí", "1800.6838"]


# -- files ------------------------------------------------------------------------------------


def test_every_qr_code_scans_from_png_and_printed_pdf(ctx, tmp_path):
    result = leaflets.build("counterfeit", "vi", [*lai_chau(3), None], tmp_path / "out", ctx, PUBLIC_URL)
    urls = [leaflets.leaflet_url(PUBLIC_URL, leaflet.code) for leaflet in result.leaflets]
    for leaflet, url in zip(result.leaflets, urls, strict=True):
        assert decode(Image.open(tmp_path / "out" / f"{leaflet.code}.png")) == [url]
        [page] = pdf_page_images(tmp_path / "out" / f"{leaflet.code}.pdf", tmp_path)
        assert decode(page) == [url]
    two_up = pdf_page_images(result.combined["a4-2up"], tmp_path)
    assert [decode(page) for page in two_up] == [sorted(urls[:2]), sorted(urls[2:])]


def test_combined_pdfs_have_one_a5_page_per_leaflet_and_half_as_many_a4_sheets(ctx, tmp_path):
    result = leaflets.build("complaints", "vi", lai_chau(5), tmp_path, ctx, PUBLIC_URL)
    a5 = PdfReader(result.combined["a5"])
    a4 = PdfReader(result.combined["a4-2up"])
    assert len(a5.pages) == 5 and len(a4.pages) == 3
    assert [round(float(v), 1) for v in a5.pages[0].mediabox[2:]] == list(A5_POINTS)
    assert [round(float(v), 1) for v in a4.pages[0].mediabox[2:]] == [841.9, 595.3]
    assert result.combined["a5"].name == "leaflets-complaints-vi.pdf"
    assert result.combined["a4-2up"].name == "leaflets-complaints-vi-a4-2up.pdf"
    fonts = subprocess.run(
        ["pdffonts", str(result.combined["a5"])], capture_output=True, text=True, check=True
    ).stdout
    assert "NotoSans" in fonts and " no " not in fonts.split("---\n")[-1]  # every font embedded


def test_vietnamese_leaflet_keeps_its_diacritics(ctx, tmp_path):
    [leaflet] = leaflets.get_or_create_leaflets("counterfeit", "vi", lai_chau(1), ctx)
    pdf = tmp_path / "vi.pdf"
    pdf.write_bytes(leaflets.render_pdf([leaflet], ctx, PUBLIC_URL))
    text = " ".join(unicodedata.normalize("NFC", pdf_text(pdf)).split())
    topic = ctx.topics["vi"]["counterfeit"]
    assert "Tổng đài miễn phí" in text and "1800.6838" in text
    assert " ".join(topic.title.split()) in text
    assert leaflet.commune_code is not None
    assert communes.known_commune(leaflet.commune_code).name in text
    assert leaflets.display_code(leaflet.code) in text


def test_khmer_leaflet_pdf_holds_its_khmer_text(ctx, tmp_path):
    topic = khmer_topic(ctx)
    result = leaflets.build(topic.id, "km", lai_chau(1), tmp_path, ctx, PUBLIC_URL)
    text = pdf_text(result.combined["a5"])
    assert "1800.6838" in text
    # Shaped Khmer comes out of pdftotext with some marks out of order: every Khmer letter and
    # sign of the title, key points and hotline label must be there, as many times as printed.
    printed = collections.Counter(
        ch
        for ch in topic.title + "".join(topic.key_points) + leaflets.leaflet_word("km", "hotline")
        if leaflets.is_khmer(ch)
    )
    extracted = collections.Counter(ch for ch in text if leaflets.is_khmer(ch))
    assert printed and not printed - extracted
    joined = "".join(text.split())  # pdftotext puts spaces inside some Khmer words
    words = [w for point in topic.key_points for w in point.split() if leaflets.has_khmer(w)]
    assert sum(w in joined for w in words) >= len(words) // 2, "most Khmer words should come out whole"
    code = result.leaflets[0].code
    assert decode(Image.open(tmp_path / f"{code}.png")) == [leaflets.leaflet_url(PUBLIC_URL, code)]


def test_untranslated_topic_prints_vietnamese_with_local_interface_words(tmp_path, content_copy):
    for path in (content_copy / "mww" / "topics").glob("counterfeit.md"):
        path.unlink()
    app = make_app(tmp_path, CONTENT_DIR=str(content_copy))
    with app.app_context():
        content = state(app).content
        [leaflet] = leaflets.get_or_create_leaflets("counterfeit", "mww", [None], content)
        words = leaflets.leaflet_text(leaflet, content, PUBLIC_URL)
        assert words.title == content.topics["vi"]["counterfeit"].title
        assert words.hotline_label == "Xov tooj hu dawb"
        assert words.place == ""
        assert words.type_hint.endswith("loa.example.vn/l")
        db.session.remove()
        db.engine.dispose()


def test_every_leaflet_language_has_every_interface_word(ctx):
    for lang in ctx.languages:
        for key in leaflets.WORDS:
            word = leaflets.leaflet_word(lang, key, address="x/l")
            assert word and "%(" not in word, (lang, key)
            if lang != "en":
                assert (
                    word != leaflets.WORDS[key] % {"address": "x/l"}
                    if key == "type_code"
                    else word != leaflets.WORDS[key]
                ), (lang, key)
    assert leaflets.leaflet_word("km", "hotline") == "ខ្សែទូរស័ព្ទឥតគិតថ្លៃ"
    assert (
        leaflets.leaflet_word("vi", "type_code", address="loa.vn/l")
        == "Không quét được? Gõ mã này tại loa.vn/l"
    )


def test_rerun_reuses_codes_and_rewrites_files(ctx, tmp_path):
    tmp_path = tmp_path / "out"
    first = leaflets.build("counterfeit", "vi", lai_chau(2), tmp_path, ctx, PUBLIC_URL)
    csv_before = (tmp_path / "leaflets.csv").read_bytes()
    steps: list[int] = []
    second = leaflets.build(
        "counterfeit", "vi", lai_chau(2), tmp_path, ctx, PUBLIC_URL, progress=steps.append
    )
    assert [leaflet.code for leaflet in first.leaflets] == [leaflet.code for leaflet in second.leaflets]
    assert (tmp_path / "leaflets.csv").read_bytes() == csv_before
    assert sum(steps) == leaflets.build_steps(2)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in second.files)
    rows = (tmp_path / "leaflets.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == ",".join(leaflets.CSV_COLUMNS)
    code, url, topic, lang, commune_code, commune_name, province = rows[1].split(",")
    assert url == f"{PUBLIC_URL}/l/{code}" and (topic, lang) == ("counterfeit", "vi")
    assert commune_name == communes.known_commune(int(commune_code)).name and province == "Lai Châu"


def test_full_disk_says_so_and_codes_stay_valid(ctx, tmp_path, monkeypatch):
    tmp_path = tmp_path / "out"
    real_write = Path.write_bytes
    writes = []

    def write_until_full(path, data):
        writes.append(path)
        if len(writes) > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(path, data)

    monkeypatch.setattr(Path, "write_bytes", write_until_full)
    with pytest.raises(leaflets.LeafletError) as error:
        leaflets.build("counterfeit", "vi", lai_chau(4), tmp_path, ctx, PUBLIC_URL)
    message = str(error.value)
    assert message.startswith("disk full while writing ") and "stay valid" in message
    assert stored_count() == 4
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")], "half-written files left"
    monkeypatch.setattr(Path, "write_bytes", real_write)
    codes = [
        leaflet.code for leaflet in leaflets.get_or_create_leaflets("counterfeit", "vi", lai_chau(4), ctx)
    ]
    rebuilt = leaflets.build("counterfeit", "vi", lai_chau(4), tmp_path, ctx, PUBLIC_URL)
    assert codes == [leaflet.code for leaflet in rebuilt.leaflets]


def test_an_interrupted_write_leaves_no_half_file(tmp_path, monkeypatch):
    real_write = Path.write_bytes

    def interrupted(path, data):
        real_write(path, data[: len(data) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_bytes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        leaflets.write_atomic(tmp_path / "ABCDEF.pdf", b"%PDF-1.4 " * 100)
    assert list(tmp_path.iterdir()) == []


def test_zip_of_a_build(ctx, tmp_path):
    result = leaflets.build("counterfeit", "vi", lai_chau(2), tmp_path / "out", ctx, PUBLIC_URL)
    archive = zipfile.ZipFile(io.BytesIO(leaflets.zip_build(result.files)))
    assert sorted(archive.namelist()) == sorted(p.name for p in result.files)
    assert archive.read("leaflets.csv") == (tmp_path / "out" / "leaflets.csv").read_bytes()


# -- the command ------------------------------------------------------------------------------


def build_cli(runner, *args: str):
    """`loa leaflets build ARGS...` through the CLI runner."""
    return runner.invoke(cli, ["leaflets", "build", *args])


def test_cli_builds_and_lists_leaflets(app, runner, tmp_path):
    out = tmp_path / "print"
    args = ["--topic", "counterfeit", "--lang", "vi", "--out", str(out), "--public-url", PUBLIC_URL + "/"]
    result = build_cli(runner, *args, "--commune", str(lai_chau(1)[0]), "--commune", str(lai_chau(2)[1]))
    assert result.exit_code == 0, result.output
    assert "2 leaflets (counterfeit, vi)" in result.output
    codes = sorted(p.stem for p in out.glob("*.png"))
    assert len(codes) == 2 and (out / "leaflets-counterfeit-vi-a4-2up.pdf").exists()
    listed = runner.invoke(cli, ["leaflets", "list", "--province", str(LAI_CHAU)])
    assert listed.exit_code == 0 and sorted(re.findall(r"^(\w{6}) ", listed.output, re.M)) == codes
    again = build_cli(runner, *args, "--province", str(LAI_CHAU), "--layout", "a5")
    assert again.exit_code == 0, again.output
    assert len(list(out.glob("*.png"))) == len(communes.communes_of(LAI_CHAU))


def test_cli_refuses_unknown_values_with_exit_1(app, runner, tmp_path):
    out = str(tmp_path / "x")
    result = build_cli(runner, "--topic", "counterfeit", "--lang", "fr", "--commune", "3388", "--out", out)
    assert result.exit_code == 1
    assert "unknown language 'fr'" in result.output and "valid languages" in result.output
    assert not (tmp_path / "x").exists()
    with app.app_context():
        assert stored_count() == 0
    province = build_cli(runner, "--topic", "counterfeit", "--lang", "vi", "--province", "999", "--out", out)
    assert province.exit_code == 2 and "unknown province code 999" in province.output
