"""User-facing strings in Chinese and English; replies follow the question's language."""

from __future__ import annotations

from typing import Literal

Language = Literal["zh", "en"]

_STRINGS: dict[str, dict[Language, str]] = {
    "passages": {"zh": "最相关的段落", "en": "Most relevant passages"},
    "resources": {"zh": "推荐的学习资源", "en": "Recommended learning resources"},
    "closest_resources": {"zh": "最接近的学习资源", "en": "Closest learning resources"},
    "source": {"zh": "原文", "en": "Original article"},
    "section": {"zh": "章节", "en": "Section"},
    "no_answer": {
        "zh": "抱歉，语料库里没有能很好回答这个问题的内容。",
        "en": "Sorry, I don't have a good answer for that in the corpus.",
    },
    "rephrase_hint": {
        "zh": "试着换个说法，或问得更具体一些（例如：“转行做机器学习工程师要学哪些数学？”）。",
        "en": "Try rephrasing or asking something more specific "
        '(e.g. "Which math do I need to become an ML engineer?").',
    },
    "footer": {
        "zh": "以上内容引自语料库中的文章与资源列表。",
        "en": "Quoted from the articles and resource list of the corpus.",
    },
    "level.beginner": {"zh": "入门", "en": "beginner"},
    "level.intermediate": {"zh": "中级", "en": "intermediate"},
    "level.advanced": {"zh": "高级", "en": "advanced"},
    "cost.free": {"zh": "免费", "en": "free"},
    "cost.paid": {"zh": "付费", "en": "paid"},
    "cost.mixed": {"zh": "部分免费", "en": "free and paid parts"},
    "error.empty": {
        "zh": "问题是空的，请输入一个问题。",
        "en": "The question is empty: ask something.",
    },
    "error.too_long": {
        "zh": "问题太长了（{length} 个字符，上限 {limit}），请缩短后再问。",
        "en": "The question is too long ({length} characters, limit {limit}): please shorten it.",
    },
    "error.no_words": {
        "zh": "问题里没有文字（只有符号或表情），请用文字提问。",
        "en": "The question has no words (only symbols or emoji): ask it in words.",
    },
    "busy": {
        "zh": "现在提问的人有点多，请稍等片刻再试一次。",
        "en": "I'm busy answering other questions: please try again in a moment.",
    },
    "cooldown": {
        "zh": "提问太快啦，请 {seconds} 秒后再问。",
        "en": "You're asking quickly: please wait {seconds} s before the next question.",
    },
    "usage": {
        "zh": "请在提及我之后写下你的问题，例如：@careerbot 机器学习工程师要学哪些数学？ 也可以用 /ask。",
        "en": "Mention me followed by your question, e.g. @careerbot which deep learning course? "
        "You can also use /ask.",
    },
    "error.unexpected": {
        "zh": "抱歉，处理这个问题时出错了，请稍后再试。",
        "en": "Sorry, something went wrong while answering: please try again later.",
    },
    "command.ask": {"zh": "向职业问答机器人提问", "en": "Ask a machine-learning career question"},
    "command.ask.question": {
        "zh": "你的问题（中文或英文）",
        "en": "Your question, in English or Chinese",
    },
}


def language_of_locale(locale: object) -> Language:
    """'zh' for Discord's Chinese locales (zh-CN, zh-TW), else 'en'."""
    return "zh" if str(getattr(locale, "value", locale)).startswith("zh") else "en"


def t(key: str, language: Language, **values: object) -> str:
    """The string `key` in `language`, with `{placeholders}` filled from `values`."""
    text = _STRINGS[key][language]
    return text.format(**values) if values else text
