from corpus.clean import clean_markdown

RAW = """## 意见

![](img/ce77a10b34bea00c8087dd453ffccc0a.png)

照片由 [Pexels](https://www.pexels.com/photo/x?utm_source=pexels) 的 bongkarn thanyakij 拍摄

*免责声明:这是一篇观点文章。*

**人们都在谈论一个** [**艾冬**](https://hn.algolia.com/?q=ai+winter) **。**

# **AI 寒冬不会影响大部分岗位**

![](img/7b3b.png)

作者创造的形象，人就是作者

**这里有几个你可能会感兴趣的链接:**

```
- [Labeling](https://www.humanfirst.ai/)- [Course](https://imp.i115008.net/c/1)
```

*上面的一些链接是附属链接，如果你通过它们购买，我会赚取佣金。*

如果你喜欢这篇文章，我会很高兴在 Twitter 或 LinkedIn 上联系你。

在 [Twitter](https://twitter.com/romanorac) 上关注我，在那里我定期发布消息。

[](https://medium.com/@x/course) [## 你在云中的第一个机器学习模型

### 一步一步的指导

medium.com](https://medium.com/@x/course)

1.  **Python:** 这个我觉得很清楚。

****

# ****参考****

****[1]托马斯，[数据科学家](https://hbr.org/2012/10/x) (2012)****

# 结论

保持学习。
"""


def test_clean_keeps_content_and_drops_noise():
    cleaned = clean_markdown(RAW)
    text = cleaned.text
    assert "免责声明:这是一篇观点文章。" in text
    assert "人们都在谈论一个 艾冬 。" in text  # link text kept, URL and emphasis gone
    assert "- Python: 这个我觉得很清楚。" in text
    assert "保持学习。" in text
    for noise in (
        "img/",
        "Pexels",
        "作者创造的形象",
        "感兴趣的链接",
        "humanfirst",
        "附属链接",
        "Twitter",
        "medium.com",
        "一步一步的指导",
        "托马斯",
        "http",
        "*",
    ):
        assert noise not in text, noise


def test_reference_section_is_dropped_but_following_section_kept():
    cleaned = clean_markdown(RAW)
    headings = [b.text for b in cleaned.blocks if b.kind == "heading"]
    assert headings == ["意见", "AI 寒冬不会影响大部分岗位", "结论"]


def test_block_offsets_index_the_clean_text():
    cleaned = clean_markdown(RAW)
    for block in cleaned.blocks:
        assert cleaned.text[block.start : block.end] == block.text


def test_english_credits_and_plugs():
    raw = "Photo by Jane on Unsplash\n\nReal content here.\n\nFollow me on Twitter for more."
    assert clean_markdown(raw).text == "Real content here."


def test_plain_text_is_unchanged():
    raw = "第一段。\n\n第二段，没有任何标记。"
    assert clean_markdown(raw).text == raw


def test_html_comments_are_notes_not_content():
    cleaned = clean_markdown("<!--\nWrite here.\n-->\n\n## 标题\n\n正文。<!-- todo -->\n")
    assert "Write here" not in cleaned.text and "todo" not in cleaned.text
    assert "正文。" in cleaned.text
