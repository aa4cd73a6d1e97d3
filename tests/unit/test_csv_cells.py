"""What a spreadsheet would run as a formula is neutralised in exports; other text is kept."""

import pytest

from app.exports.services import safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",
                                  "  =HYPERLINK(\"http://evil\")", "\n=1", " \n @x"])
def test_formulas_get_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["headache after lunch", "  fine", "", 5, None, "a=b"])
def test_everything_else_is_kept(value):
    assert safe_cell(value) == value
