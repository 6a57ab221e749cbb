"""Whether a quoted sentence states a whole number: as digits, an English word or a Chinese
numeral (the months of a cited estimate must be the sentence's own)."""

from __future__ import annotations

import re

_EN_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_ZH_DIGITS = "零一二三四五六七八九"


def _number_words(n: int) -> list[str]:
    """How a sentence may write the whole number `n` (1-99): digits, English, Chinese."""
    words = [str(n)]
    if n < 20:
        words.append(_EN_ONES[n])
    else:
        tens, ones = divmod(n, 10)
        words.append(_EN_TENS[tens] + (f"-{_EN_ONES[ones]}" if ones else ""))
    if n < 10:
        words.append(_ZH_DIGITS[n])
        if n == 2:
            words.append("两")  # 两个月
    else:
        tens, ones = divmod(n, 10)
        words.append(
            ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[ones] if ones else "")
        )
    return words


def mentions_number(text: str, number: float) -> bool:
    """Whether `text` states the whole number `number` (as digits, an English word or a Chinese
    numeral), not as part of a longer number or word."""
    if number != int(number) or not 0 < number < 100:
        return False
    for word in _number_words(int(number)):
        if word.isdigit():
            pattern = rf"(?<![\d.]){word}(?!\.?\d)"
        elif word.isascii():
            pattern = rf"(?<![a-z-]){word}(?![a-z-])"
        else:  # a Chinese numeral must not be part of a longer one (十八 is not 八)
            pattern = rf"(?<![{_ZH_DIGITS}十两百]){word}(?![{_ZH_DIGITS}十两百])"
        if re.search(pattern, text, flags=re.IGNORECASE):
            return True
    return False
