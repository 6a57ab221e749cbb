"""Recognising a question that asks for a plan ("how do I become an ML engineer as a backend
dev?", "零基础转行机器学习，学习路线是什么？") and where the asker starts from, so that the
answer can offer "Make me a plan" (`/path` for that starting point).

Written from how members describe themselves and ask for roadmaps, in Chinese and English; a
question in Traditional characters is read in Simplified. Deliberately cautious: no button is
better than a plan for the wrong starting point, so a question must (1) ask for a path, (2) be
about machine learning, (3) not aim at another role ("how do I become a data scientist?"), and
(4) say where the asker starts from; when it names several starting points, the most specific
wins (a data scientist, a developer, a student, someone from another field, a beginner).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.services.paths import DEFAULT_GOAL
from index.query import matching_form


@dataclass(frozen=True)
class PlanRequest:
    """A plan-like question's starting point and goal (ids of `corpus/paths.yaml`)."""

    start: str
    goal: str = DEFAULT_GOAL


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# (1) Asking for a path: a roadmap, a plan, steps, where to start, how to become or switch.
_PLAN_LIKE = _any(
    r"\broad\s?-?maps?\b",
    r"\b(learning|study|career)\s+(path|plan|route|roadmap|guide)s?\b",
    r"\bcurriculum\b",
    r"\bhow\s+(do|can|should|would|could|to|does\s+one)\s+(i\s+|one\s+|you\s+|someone\s+)?"
    r"(go\s+about\s+|best\s+)?(becom|get\s+(into|started|a\s+job)|break\s+into|transition|"
    r"switch|move|pivot|start|begin|land|prepare)",
    r"\b(path|steps?|way|plan)\s+(to|towards?|into|for)\s+(becom|an?\s+(ml|machine|ai)|ml\b|"
    r"machine\s+learning|mle\b|ai\b)",
    r"\bwhere\s+(do|should|can|would)\s+i\s+(start|begin)\b",
    r"\bwhat\s+(should|do|must)\s+i\s+(need\s+to\s+)?(learn|study)\s+(first|next|to|before)\b",
    r"\bwhat\s+(should|would)\s+(be\s+)?my\s+(first\s+|next\s+)?steps?\b",
    r"\bcareer\s+(switch|change|transition|pivot)\b",
    r"路线|路径|学习计划|学习规划|规划|步骤|学习顺序",
    r"(怎么|怎样|如何|咋)(才能|能|去|样)?(成为|当上?|做|转|入门|开始|入行|进入|走|学)",
    r"从哪(里|儿)?(开始|入手|学起|下手|起步)",
    r"(先|该|应该)学(什么|哪些|啥)",
)

# (2) About machine learning (the goal the paths serve).
_ABOUT_ML = _any(
    r"\bmachine\s+learning\b",
    r"\bml\b",
    r"\bmle\b",
    r"\bmlops\b",
    r"\bai\b",
    r"\bdeep\s+learning\b",
    r"\bartificial\s+intelligence\b",
    r"机器学习|深度学习|人工智能|算法工程师|算法岗|(?<![A-Za-z])AI(?![A-Za-z])",
)

_ML_ROLE = (
    r"(ml|mle|machine\s+learning|ai|deep\s+learning|mlops)(\s+|-)?(engineer|engineering|"
    r"developer|role|job|position)s?|mle|ml|machine\s+learning|ai"
)
_OTHER_ROLE = (
    r"data\s+(scientist|analyst|engineer)s?|(software|backend|frontend|web|full[\s-]?stack)\s+"
    r"(developer|engineer)s?|developers?|programmers?|researchers?|product\s+managers?"
)
_ML_ROLE_ZH = r"机器学习|深度学习|人工智能|算法|AI|ML|MLE"
_OTHER_ROLE_ZH = r"数据科学家|数据科学|数据分析师?|数据工程师|程序员|开发|前端|后端|产品经理|研究员"
_TARGET_EN = (
    r"\b(becom(e|ing)|(want|wants|wanted|hope|plan|aim|going|trying)\s+to\s+be|"
    r"switch(ing)?\s+(in)?to|transition(ing)?\s+(in)?to|mov(e|ing)\s+into|get(ting)?\s+into|"
    r"break(ing)?\s+into|pivot(ing)?\s+(in)?to|land(ing)?)\s+(an?\s+)?"
)
_TARGET_ZH = (
    r"(成为|当上|想做|想当|转行做|转行到|转行成|转做|转到|转为|转成|转向|进入|入行)(一名|一个|个)?"
)
# (3) What the question aims at: a machine-learning role (the paths' goal) or another one.
_ML_TARGET = re.compile(rf"{_TARGET_EN}({_ML_ROLE})\b|{_TARGET_ZH}({_ML_ROLE_ZH})", re.IGNORECASE)
_OTHER_TARGET = re.compile(
    rf"{_TARGET_EN}({_OTHER_ROLE})\b|{_TARGET_ZH}({_OTHER_ROLE_ZH})", re.IGNORECASE
)

_FIELDS_EN = (
    r"teacher|nurse|doctor|physician|lawyer|accountant|chemist|biologist|physicist|pharmacist|"
    r"architect|journalist|marketer|designer|banker|economist|consultant|salesperson|"
    r"(mechanical|civil|electrical|chemical)\s+engineer|musician|translator"
)
_FIELDS_ZH = (
    r"老师|教师|医生|护士|律师|会计|财务|金融|销售|设计师|记者|化学|生物|机械|土木|电气|建筑|"
    r"医学|法律|市场|教育|制造业|传统行业|翻译|咨询"
)
# (4) Where the asker starts from, the most specific first.
_STARTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "data-scientist",
        _any(
            r"\bdata\s+scientists?\b",
            r"\b(work(ing)?|job|role|years?)\s+(in|as\s+an?)\s+data\s+science\b",
            r"数据科学家|(做|干|从事)数据科学",
        ),
    ),
    (
        "developer",
        _any(
            r"\b(software|backend|back-end|frontend|front-end|full[\s-]?stack|web|mobile|ios|"
            r"android|java|python|\.net|c\+\+|game|embedded|devops|data|cloud)\s+"
            r"(developer|dev|engineer|programmer)s?\b",
            r"\b(developer|programmer|coder|swe|sde)s?\b",
            r"\bsoftware\s+(engineering|development)\s+(job|role|experience|background)\b",
            r"\b(i\s+)?(write|wrote)\s+code\s+for\s+a\s+living\b",
            r"程序员|码农|开发者|开发人员|开发工程师|软件工程师|(做|干|搞|从事)(软件)?开发|"
            r"(后端|前端|全栈|后台|客户端|安卓|android|ios|java|python|c\+\+|go|web|测试)"
            r"(开发|工程师)",
        ),
    ),
    (
        "student",
        _any(
            r"\b(student|undergrad|undergraduate|freshman|sophomore)s?\b",
            r"\b(in|at)\s+(college|university|uni|grad\s+school)\b",
            r"\b(cs|math|maths|physics|stats|statistics|engineering)\s+(major|degree|student)\b",
            r"\b(majoring|studying)\s+(in\s+)?(cs|computer\s+science|math|mathematics|"
            r"statistics|physics|engineering|economics)\b",
            r"\b(bachelor|master|phd|msc|bsc|ms|bs)('?s)?\s+(student|program|degree\s+in)\b",
            r"学生|大学生|研究生|本科|硕士|博士|在读|读研|读博|大[一二三四]|研[一二三]|应届|在校|"
            r"(?<!非)科班|(计算机|数学|统计|物理|软件工程|电子|自动化|通信)专业",
        ),
    ),
    (
        "other-field",
        _any(
            r"\bfrom\s+(another|a\s+different|an\s+unrelated|a\s+non[\s-]?tech(nical)?|"
            r"outside\s+(of\s+)?(tech|cs))\s+(field|industry|background|career|domain)\b",
            r"\bnon[\s-]?(tech|technical|cs)\s+(background|field|career|person)\b",
            rf"\b(i'?m|i\s+am|work(ing)?\s+as|worked\s+as|career\s+as)\s+an?\s+({_FIELDS_EN})\b",
            r"\bbackground\s+in\s+(biology|finance|chemistry|economics|law|medicine|"
            r"marketing|accounting|physics|psychology|education|music|art)\b",
            r"\bcareer\s+changer\b",
            rf"其他行业|别的行业|其他领域|不相关的?行业|非计算机|非科班|跨行|跨专业|文科|"
            rf"({_FIELDS_ZH})(背景|出身|行业|从业|工作)|我是(一名|一个|个)?({_FIELDS_ZH})",
        ),
    ),
    (
        "zero",
        _any(
            r"\bfrom\s+(scratch|zero|nothing|the\s+ground\s+up)\b",
            r"\b(no|zero|little|without(\s+any)?)\s+(prior\s+)?(coding|programming|tech|"
            r"technical|cs|computer\s+science|software)\s+(experience|background|knowledge|"
            r"skills)\b",
            r"\b(complete|total|absolute|pure)\s+(beginner|newbie|noob)\b",
            r"\bnever\s+(coded|programmed|written\s+(a\s+line\s+of\s+)?code)\b",
            r"\b(don'?t|do\s+not|can'?t|cannot)\s+(know\s+how\s+to\s+)?(code|program)\b",
            r"零基础|从零开始|从0开始|完全没(有)?基础|没(有)?(任何)?(编程|计算机|代码)基础|小白|"
            r"没学过编程|不会编程|不会写代码|纯新手|什么都不会",
        ),
    ),
)


def _without_targets(text: str) -> str:
    """`text` with the roles it aims at blanked out ("… to become a developer"), so that a
    target is not read as where the asker starts."""
    text = _ML_TARGET.sub(" ", text)
    return _OTHER_TARGET.sub(" ", text)


def plan_request(question: str) -> PlanRequest | None:
    """The starting point (and goal) of a question asking how to get into machine learning;
    None when it does not ask for a path, aims at another role, or does not say where the
    asker starts from."""
    text = matching_form(question).replace("’", "'")
    if not _PLAN_LIKE.search(text) or not _ABOUT_ML.search(text):
        return None
    if _OTHER_TARGET.search(text) and not _ML_TARGET.search(text):
        return None
    described = _without_targets(text)
    for start, pattern in _STARTS:
        if pattern.search(described):
            return PlanRequest(start)
    return None
