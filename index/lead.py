"""The lead: the sentence or two a reply opens with, picked from the best passages by cosine to
the question, never starting with a sentence that leans on the one before, in every language
the lead is shown or read in."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from corpus.chunk import split_sentences
from index.records import PassageRecord
from index.store import LoadedIndex

# The lead is the best sentence and its closer neighbour (by cosine to the question) when the
# two fit in this many characters: one sentence that echoes the question is often followed or
# preceded by the one that answers it (on the dev split the lead held a labelled answer for 31%
# of questions with one sentence, 44% with the neighbour).
LEAD_MAX_CHARS = {"zh": 200, "en": 500}


# The lead is looked for in the best few passages, the lower ranks paying a little per rank:
# the best sentence is not always in the best passage, but usually is.
LEAD_PASSAGES = 3


LEAD_RANK_PENALTY = 0.02


# Sentences that never make a lead: questions, quotation attributions ("— Chip Huyen",
# "他强调说:"), lead-ins that end in a colon, and headings kept as one-line paragraphs.
_QUESTION_END = re.compile(r"[?？][\"”’」』）)]*$|[吗呢][。]?$")


_ATTRIBUTION = re.compile(
    r"^\s*(?:[-–—―]+|by\s)|(?:说|道|表示|写道|指出)\s*[:：]|\b(?:said|says|wrote)\s*:", re.I
)


_LEAD_IN_END = re.compile(r"[:：—-]\s*$")


# Sentences that lean on the one before ("Besides, …", "Because …", "我的意思是…", "此外，…"):
# a lead never starts with one; it takes the sentence before with it, or another sentence.
_LEANS_ON_PREVIOUS = {
    "en": re.compile(
        r"^\W*(?:besides|also|however|but|and|so|because|that's why|this|these|that|those|it|"
        r"they|furthermore|moreover|in addition|additionally|therefore|thus|hence|then|"
        r"otherwise|instead|still|yet|plus|i mean|you decide|on the other hand|for example|"
        r"for instance|in other words|as a result|after all|again|even so|which|such)\b",
        re.I,
    ),
    "zh": re.compile(
        r"^\W*(?:此外|另外|而且|但是|但|不过|因为|所以|因此|我的意思是|这|那|它|他们|她们|同时|"
        r"然后|并且|于是|否则|相反|其次|最后|总之|换句话说|例如|比如|也就是说|再次|尤其是|"
        r"当然|可以说|原因|对此|其中|之后|后来|首先|然而|可是|同样|而是|毕竟|反之|另一方面)"
    ),
}


CANNOT_LEAD, MAY_LEAD, LEADS_WITH_PREVIOUS = 0, 1, 2


def _lead_candidate(sentence: str, language: str) -> int:
    """Whether a sentence may be (the start of) a lead: CANNOT_LEAD, MAY_LEAD, or
    LEADS_WITH_PREVIOUS (only together with the sentence before it)."""
    stripped = sentence.strip()
    if not stripped or _QUESTION_END.search(stripped) or _ATTRIBUTION.search(stripped):
        return CANNOT_LEAD
    if "?" in stripped or "？" in stripped:  # "…数学技能?这个问题很难量化。": a question inside
        return CANNOT_LEAD
    if _LEAD_IN_END.search(stripped):
        return CANNOT_LEAD
    leans = _LEANS_ON_PREVIOUS["zh" if language == "zh" else "en"]
    return LEADS_WITH_PREVIOUS if leans.search(stripped) else MAY_LEAD


@dataclass(frozen=True)
class _Lead:
    passage_id: str | None
    original: str
    shown: str


class LeadSelection:
    """The lead of a search (`Retriever` mixes it in): sentence rows of the index, the flags that
    say which sentences may lead, and the mapping of sentences across a translation."""

    index: LoadedIndex
    _sentence_rows: dict[int, tuple[int, int]]
    _unit_of: dict[tuple[int, str], int]
    _lead_flags: dict[int, list[int]]
    _other_leads: dict[tuple[int, str, int, str], bool]

    def _unit_sentences(self, unit: int) -> list[tuple[int, int, int]]:
        """(sentence row, start, end) of every sentence of a unit."""
        rows = self._sentence_rows.get(unit)
        if rows is None:
            return []
        first, last = rows
        return [(row, *self.index.sentence_spans[row][1:]) for row in range(first, last)]

    def _lead(
        self, query_vector: np.ndarray, best: list[tuple[int, float]], shown_language: str
    ) -> _Lead | None:
        """The sentence of the best passages closest to the question that can stand as an
        answer, with its closer neighbour when both fit, in the original and as shown."""
        chosen: tuple[float, int, str, int] | None = None  # (score, position, language, index)
        for rank, (position, _) in enumerate(best):
            record = self.index.passages[position]
            for language, text in record.texts():
                unit = self._unit_of.get((position, language))
                if unit is None:
                    continue
                sentences = self._unit_sentences(unit)
                if not sentences:
                    continue
                rows = [row for row, _, _ in sentences]
                scores = self.index.sentence_vectors[rows] @ query_vector
                flags = self._lead_flags_of(unit, text, language)
                limit = LEAD_MAX_CHARS["zh" if language == "zh" else "en"]
                for index in range(len(sentences)):
                    start = index  # where the lead would start
                    if flags[index] == LEADS_WITH_PREVIOUS:
                        # only with an antecedent that may lead itself, and short enough
                        start = index - 1
                        if (
                            index == 0
                            or flags[start] != MAY_LEAD
                            or sentences[index][2] - sentences[start][1] > limit
                        ):
                            continue
                    elif not flags[index]:
                        continue
                    # in every language it is shown or read in, the lead must start cleanly: a
                    # translation may smooth away a question mark or add a connective
                    if any(
                        other != language
                        and not self._starts_a_lead_in(record, position, language, start, other)
                        for other in {record.language, record.shown_language(shown_language)}
                    ):
                        continue
                    score = float(scores[index]) - LEAD_RANK_PENALTY * rank
                    if chosen is None or score > chosen[0]:
                        chosen = (score, position, language, index)
        if chosen is None:
            return None
        _, position, language, index = chosen
        record = self.index.passages[position]
        unit = self._unit_of[(position, language)]
        unit_sentences = self._unit_sentences(unit)
        flags = self._lead_flags_of(unit, record.text_in(language), language)
        indices = [index]
        neighbours = [
            i for i in (index - 1, index + 1) if 0 <= i < len(unit_sentences) and flags[i]
        ]
        if flags[index] == LEADS_WITH_PREVIOUS:
            indices, neighbours = [index - 1, index], []  # with its antecedent (checked above)
        else:  # a neighbour before the sentence must not lean on its own predecessor
            neighbours = [
                i for i in neighbours if i != index - 1 or flags[i] != LEADS_WITH_PREVIOUS
            ]
        if neighbours:
            rows = [unit_sentences[i][0] for i in neighbours]
            closer = neighbours[int(np.argmax(self.index.sentence_vectors[rows] @ query_vector))]
            span = max(unit_sentences[index][2], unit_sentences[closer][2]) - min(
                unit_sentences[index][1], unit_sentences[closer][1]
            )
            if span <= LEAD_MAX_CHARS["zh" if language == "zh" else "en"]:
                indices = sorted([index, closer])
        shown_lang = record.shown_language(shown_language)
        original_indices = self._map_sentences(record, language, record.language, indices)
        shown_indices = self._map_sentences(record, language, shown_lang, indices)
        return _Lead(
            passage_id=record.id,
            original=self._sentence_text(record, record.language, original_indices),
            shown=self._sentence_text(record, shown_lang, shown_indices),
        )

    def _lead_flags_of(self, unit: int, text: str, language: str) -> list[int]:
        """Whether each sentence of `unit` (whose text is `text`) may be (the start of) a lead."""
        flags = self._lead_flags.get(unit)
        if flags is None:
            flags = [
                _lead_candidate(text[start:end], language)
                for _, start, end in self._unit_sentences(unit)
            ]
            self._lead_flags[unit] = flags
        return flags

    def _starts_a_lead_in(
        self, record: PassageRecord, position: int, language: str, index: int, other: str
    ) -> bool:
        """Whether the sentences of language `other` that sentence `index` (of `language`)
        renders may start a lead too: the first on its own, none a question or attribution."""
        key = (position, language, index, other)
        known = self._other_leads.get(key)
        if known is not None:
            return known
        indices = self._map_sentences(record, language, other, [index])
        unit = self._unit_of.get((position, other))
        flags = self._lead_flags_of(unit, record.text_in(other), other) if unit is not None else []
        known_flags = [flags[i] for i in indices if i < len(flags)]
        may_lead = bool(known_flags) and known_flags[0] == MAY_LEAD and all(known_flags)
        self._other_leads[key] = may_lead
        return may_lead

    @staticmethod
    def _map_sentences(
        record: PassageRecord, source: str, target: str, indices: list[int]
    ) -> list[int]:
        """Sentence indices of language `source` mapped to language `target` of a passage,
        through the original (translations are aligned with the original, not each other)."""
        if source == target:
            return indices
        original_language = record.language
        groups_of = {t.language: t.sentence_groups for t in record.translations}

        def across(language: str, wanted: list[int], *, to_original: bool) -> list[int]:
            """Through the sentence groups of `language`, to or from the original."""
            if language == original_language:
                return wanted
            found: list[int] = []
            for original, translated in groups_of.get(language, ()):
                here, there = (translated, original) if to_original else (original, translated)
                if any(here[0] <= i < here[1] for i in wanted):
                    found.extend(range(there[0], there[1]))
            return found

        in_original = across(source, indices, to_original=True)
        return sorted(set(across(target, in_original, to_original=False)))

    def _sentence_text(self, record: PassageRecord, language: str, indices: list[int]) -> str:
        text = record.text_in(language)
        spans = split_sentences(text)
        if not indices or not spans:
            return text
        first = spans[min(indices)][0]
        last = spans[min(max(indices), len(spans) - 1)][1]
        return text[first:last]
