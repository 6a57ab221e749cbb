"""Recognising a plan-like question and where the asker starts from (the "Make me a plan"
button): questions written the way members ask them, in Chinese and English."""

from __future__ import annotations

import pytest

from bot.services.path_requests import PlanRequest, plan_request

RECOGNISED = [
    # English
    ("How do I become an ML engineer as a backend dev?", "developer"),
    ("I'm a Java developer with 5 years of experience, what's the roadmap to MLE?", "developer"),
    ("I happen to be a software engineer and want to get into ML. Where do I start?", "developer"),
    ("Frontend engineer here. How can I transition into machine learning?", "developer"),
    ("I am a data scientist, what is the roadmap to become an ML engineer?", "data-scientist"),
    ("As a CS student, what's the learning path to become an MLE?", "student"),
    ("I'm a math major in college, how should I prepare for a machine learning job?", "student"),
    ("I am a complete beginner, how do I get into machine learning?", "zero"),
    ("No coding experience at all, what should I learn first to become an ML engineer?", "zero"),
    ("I'm a teacher, how can I switch to machine learning?", "other-field"),
    ("Coming from a non-tech background, is there a roadmap into AI engineering?", "other-field"),
    # Chinese, Simplified and Traditional
    ("零基础转行机器学习，学习路线是什么？", "zero"),
    ("完全小白，想学机器学习，应该从哪里开始？", "zero"),
    ("程序员转行做机器学习工程师，路线是怎样的？", "developer"),
    ("我是做开发的，想转AI，怎么入门", "developer"),
    ("后端开发三年，如何转行做机器学习工程师？", "developer"),
    ("我是大三学生，怎么成为机器学习工程师", "student"),
    ("统计专业研究生，想做机器学习工程师，需要什么学习规划？", "student"),
    ("我是数据科学家，怎么转型机器学习工程师？", "data-scientist"),
    ("文科生转行机器学习路线", "other-field"),
    ("我是老师，想转行做人工智能，从哪开始", "other-field"),
    ("我是數據科學家，怎麼轉行成為機器學習工程師？路線圖？", "data-scientist"),
    ("零基礎轉行機器學習的學習路線", "zero"),
]

NOT_RECOGNISED = [
    # not asking for a path
    "Should I become an ML engineer?",
    "Which math do I need for ML?",
    "I'm a developer. Are ML engineers losing their jobs?",
    "机器学习工程师要学哪些数学？",
    "我是程序员，机器学习工程师的工资高吗？",
    # a path, but where the asker starts is not said
    "What's the roadmap to become a machine learning engineer?",
    "机器学习工程师的学习路线是什么？",
    "I'm a data analyst, how do I move into ML?",
    # a path to another role, or not about machine learning
    "I'm a student, how do I become a data scientist?",
    "我是学生，怎么成为数据分析师？",
    "As a developer, what's a good roadmap to learn React?",
    # "ai" inside an English word is not AI
    "I am a student, how do I start training for a marathon again?",
    "I'm a developer, what should I learn first to maintain a React app?",
    "",
]


@pytest.mark.parametrize(("question", "start"), RECOGNISED)
def test_plan_like_questions_name_their_starting_point(question, start):
    assert plan_request(question) == PlanRequest(start, "ml-engineer")


@pytest.mark.parametrize("question", NOT_RECOGNISED)
def test_no_plan_without_a_path_a_starting_point_or_a_machine_learning_goal(question):
    assert plan_request(question) is None


def test_the_role_aimed_at_is_not_read_as_the_starting_point():
    # "become a developer" is where the question goes, not where the asker is
    assert plan_request("I'm a student and want to become an ML engineer: roadmap?") == (
        PlanRequest("student")
    )
    assert plan_request("我是学生，想成为机器学习工程师，学习路线？") == PlanRequest("student")


def test_the_most_specific_starting_point_wins():
    question = "I'm a student with no coding experience, how do I become an ML engineer?"
    assert plan_request(question) == PlanRequest("student")
    question = "Data scientist and former developer: what's my roadmap to MLE?"
    assert plan_request(question) == PlanRequest("data-scientist")
