import pytest

from corpus.numerals import mentions_number


@pytest.mark.parametrize(
    ("text", "number", "found"),
    [
        ("expect it to take about 18 months", 18, True),
        ("预计需要大约18月的时间", 18, True),
        ("about 118 months", 18, False),
        ("about 18.5 months", 18, False),
        ("you can spend about six months", 6, True),
        ("about sixty months", 6, False),
        ("花大约六个月的时间", 6, True),
        ("花大约十六个月的时间", 6, False),
        ("花大约十八个月的时间", 18, True),
        ("about six months", 6.5, False),
    ],
)
def test_mentions_number(text, number, found):
    assert mentions_number(text, number) is found
