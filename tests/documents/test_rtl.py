"""Arabic and Hebrew lines: joined letters, visual order, mirrored brackets."""

from __future__ import annotations

import pytest

from pipeline.records.pdf.rtl import has_rtl, shape_arabic, visual_line


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Erika Mustermann", False), ("山田 太郎", False), ("فاطمة", True), ("שלום", True)],
)
def test_only_right_to_left_letters_need_the_treatment(text: str, expected: bool) -> None:
    assert has_rtl(text) is expected


def test_arabic_letters_take_their_contextual_forms() -> None:
    # fa initial, alef final, tah initial (alef never joins forward), meem medial,
    # teh marbuta final
    assert shape_arabic("فاطمة") == "\ufed3\ufe8e\ufec3\ufee4\ufe94"


def test_lam_alef_becomes_one_ligature() -> None:
    # seen initial, lam-alef final (joined to seen), meem isolated (alef never joins forward)
    assert shape_arabic("سلام") == "\ufeb3\ufefc\ufee1"


def test_latin_text_is_left_alone() -> None:
    assert visual_line("Erika Mustermann, Musterstraße 12") == "Erika Mustermann, Musterstraße 12"


def test_hebrew_line_is_reversed_with_numbers_kept_left_to_right() -> None:
    assert visual_line("שלום עולם 12") == "12 םלוע םולש"


def test_arabic_inside_a_latin_line_reverses_only_its_own_run() -> None:
    line = visual_line("Order 100 – شارع 12 زايد")
    assert line.startswith("Order 100 – ")
    assert line.endswith(shape_arabic("شارع")[::-1])
    assert " 12 " in line


def test_brackets_are_mirrored_in_right_to_left_runs() -> None:
    line = visual_line("فاطمة (الزهراء)")
    assert line.startswith("(") and ")" in line
    assert line.index("(") < line.index(")")
