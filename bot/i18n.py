"""User-facing strings in Chinese and English; replies follow the question's language."""

from __future__ import annotations

from corpus.schema import Language  # one definition of the languages

__all__ = ["Language", "language_of_locale", "t"]

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
    "untranslated": {
        "zh": "（暂无中文译文，以下为原文）",
        "en": "(no English translation yet: shown in the original Chinese)",
    },
    "ask_moderators": {
        "zh": "可以用 /resources 浏览学习资源，或者请版主来回答。",
        "en": "Browse /resources for learning material, or ask the moderators.",
    },
    "cli.closest_anyway": {
        "zh": "仍想看看最接近的段落和学习资源，可以运行：",
        "en": "To see the closest passages and learning resources anyway, run:",
    },
    "button.related": {"zh": "相关：{question}", "en": "Related: {question}"},
    "related_question": {
        "zh": "相关问题：{question}",
        "en": "Related question: {question}",
    },
    "footer.card": {
        "zh": "答案依据下列文章写成，段落引自原文。",
        "en": "Answer written from the articles below; the passages are quoted from them.",
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
    "error.not_text": {
        "zh": "问题不是有效的 UTF-8 文本，请重新输入。",
        "en": "The question is not valid UTF-8 text: please type it again.",
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
    "no_more": {"zh": "没有更多相关段落了。", "en": "No more relevant passages."},
    "sources": {"zh": "引用的文章", "en": "Articles quoted"},
    "no_sources": {
        "zh": "这个回答没有引用文章。",
        "en": "This answer quotes no article.",
    },
    "button.more": {"zh": "更多", "en": "More"},
    "button.sources": {"zh": "来源", "en": "Sources"},
    "feedback.thanks_up": {
        "zh": "谢谢反馈！很高兴这个回答有帮助。",
        "en": "Thanks for the feedback! Glad it helped.",
    },
    "feedback.thanks_down": {
        "zh": "谢谢反馈！我们会用它改进回答。",
        "en": "Thanks for the feedback: it helps us improve the answers.",
    },
    "error.stale_answer": {
        "zh": "找不到这条回答对应的问题，请重新提问。",
        "en": "I can't find the question of this answer any more: please ask again.",
    },
    "resources.title": {"zh": "学习资源", "en": "Learning resources"},
    "resources.none": {
        "zh": "没有符合这些条件的资源。试试去掉一些筛选条件。",
        "en": "No resource matches these filters: try fewer of them.",
    },
    "error.unknown_topic": {
        "zh": "没有这个主题：{topic}。可选：{topics}",
        "en": "Unknown topic {topic}. Topics: {topics}",
    },
    "page": {"zh": "第 {page}/{pages} 页", "en": "Page {page}/{pages}"},
    "button.previous": {"zh": "上一页", "en": "Previous"},
    "button.next": {"zh": "下一页", "en": "Next"},
    "about.title": {"zh": "关于 careerbot", "en": "About careerbot"},
    "about.body": {
        "zh": "我回答关于机器学习职业的问题（中文或英文），答案直接引自语料库中的文章和精选学习资源列表，并附上原文链接。",
        "en": "I answer machine-learning career questions (in English or Chinese) by quoting "
        "the articles and the curated list of learning resources of my corpus, with links to "
        "the originals.",
    },
    "about.corpus": {"zh": "我知道的内容", "en": "What I know"},
    "about.counts": {
        "zh": "{articles} 篇文章（{passages} 个段落），{resources} 个学习资源",
        "en": "{articles} articles ({passages} passages), {resources} learning resources",
    },
    "about.index": {"zh": "索引", "en": "Index"},
    "about.built": {
        "zh": "构建于 {built_at}，向量模型 {embedder}",
        "en": "built {built_at} with embedder {embedder}",
    },
    "about.usage": {"zh": "怎么用", "en": "How to ask"},
    "about.howto": {
        "zh": "`/ask 问题`，或在频道里 @我 并写下问题。`/resources` 按主题、难度和费用浏览学习资源。回答下方的 👍/👎 帮助我们改进。",
        "en": "`/ask question`, or mention me with your question in a channel. `/resources` "
        "browses the learning resources by topic, level and cost. 👍/👎 under an answer "
        "help us improve.",
    },
    "command.resources": {
        "zh": "按主题、难度和费用浏览学习资源",
        "en": "Browse the learning resources by topic, level and cost",
    },
    "command.resources.topic": {"zh": "主题，例如 math", "en": "Topic, e.g. math"},
    "command.resources.level": {"zh": "难度", "en": "Level"},
    "command.resources.cost": {"zh": "费用", "en": "Cost"},
    "command.about": {
        "zh": "我知道什么、怎么提问",
        "en": "What the bot knows and how to use it",
    },
    "command.ask": {"zh": "向职业问答机器人提问", "en": "Ask a machine-learning career question"},
    "command.ask.question": {
        "zh": "你的问题（中文或英文）",
        "en": "Your question, in English or Chinese",
    },
    "pinned": {"zh": "📌 管理员置顶的答案", "en": "📌 Answer pinned by moderators"},
    "pinned.by": {"zh": "置顶答案 #{id}", "en": "Pinned answer #{id}"},
    "button.pin": {"zh": "置顶", "en": "Pin"},
    "pin.not_moderator": {
        "zh": "只有管理员可以置顶和管理答案。",
        "en": "Only moderators can pin and manage answers.",
    },
    "forum.suggestion": {
        "zh": "💡 建议回答（careerbot 自动回复，可能不完全准确；欢迎大家补充）",
        "en": "💡 Suggested answer (an automatic reply from careerbot; others may know better)",
    },
    "similar.title": {"zh": "相似的帖子", "en": "Similar threads"},
    "similar.none": {
        "zh": "这个服务器里还没有问过类似问题的帖子。",
        "en": "No earlier post of this server asked something similar.",
    },
    "button.similar": {"zh": "相似帖子", "en": "Similar threads"},
    "command.mark_solution": {"zh": "标记为解决方案", "en": "Mark as solution"},
    "solution.not_forum": {
        "zh": "只能在帮助论坛的帖子里标记解决方案。",
        "en": "Solutions can only be marked in a post of a help forum.",
    },
    "solution.not_allowed": {
        "zh": "只有发帖人或管理员可以标记解决方案。",
        "en": "Only the post's author or a moderator can mark the solution.",
    },
    "solution.no_tag": {
        "zh": "这个论坛没有名为“{tag}”的标签：请管理员创建它，或用 /settings 选择另一个标签。什么都没有改变。",
        "en": 'This forum has no tag named "{tag}": a moderator can create it or choose another '
        "with /settings. Nothing was changed.",
    },
    "solution.too_many_tags": {
        "zh": "这个帖子已经有 5 个标签（Discord 的上限），无法再加“{tag}”。什么都没有改变。",
        "en": 'This post already has 5 tags (Discord\'s limit), so "{tag}" cannot be added. '
        "Nothing was changed.",
    },
    "solution.forbidden": {
        "zh": "我没有在这个论坛里编辑帖子标签的权限（需要“管理子区”）。请管理员授予后再试。什么都没有改变。",
        "en": "I may not edit this forum's post tags (I need Manage Threads): ask a moderator "
        "to grant it, then try again. Nothing was changed.",
    },
    "solution.thanks": {
        "zh": "✅ 已标记为解决方案，谢谢！以后有人问类似的问题时，会看到这个帖子。",
        "en": "✅ Marked as the solution, thank you! Members asking something similar will be "
        "pointed to this post.",
    },
    "solution.notice": {
        "zh": "✅ {member} 把 {link} 标记为这个帖子的解决方案。",
        "en": "✅ {member} marked {link} as this post's solution.",
    },
    "solution.empty": {
        "zh": "这条消息没有可以作为解决方案的文字。",
        "en": "This message has no text to mark as a solution.",
    },
    "solution.no_answer": {
        "zh": "这条回复说没有找到好的答案，不能作为解决方案。",
        "en": "This reply found no good answer, so it cannot be the solution.",
    },
    "review.title": {"zh": "建议置顶的答案", "en": "Proposed pinned answer"},
    "review.body": {
        "zh": "{thread} 的问题已被标记为解决。批准后，下一个问类似问题的成员会先看到这个答案。",
        "en": "{thread} was marked as solved. Approve to answer the next member who asks "
        "the same with it.",
    },
    "review.question": {"zh": "问题", "en": "Question"},
    "review.answer": {"zh": "答案", "en": "Answer"},
    "button.approve": {"zh": "批准", "en": "Approve"},
    "button.edit": {"zh": "编辑", "en": "Edit"},
    "button.reject": {"zh": "拒绝", "en": "Reject"},
    "review.approved": {
        "zh": "✅ 已由 {by} 批准为置顶答案 #{id}。",
        "en": "✅ Approved by {by} as pinned answer #{id}.",
    },
    "review.rejected": {"zh": "🚫 已被 {by} 拒绝。", "en": "🚫 Rejected by {by}."},
    "review.decided": {
        "zh": "这个建议已经处理过了。",
        "en": "This proposal was already decided.",
    },
    "review.unknown": {"zh": "找不到这个建议。", "en": "This proposal no longer exists."},
    "settings.not_manager": {
        "zh": "只有拥有“管理服务器”权限的成员可以修改机器人的服务器设置。",
        "en": "Only members with Manage Server can change the bot's server settings.",
    },
    "pin.done": {
        "zh": "📌 已置顶为答案 #{id}：以后有人问这个问题或类似的问题时，会先显示它。",
        "en": "📌 Pinned as answer #{id}: it is shown first for this question and its paraphrases.",
    },
    "pin.nothing": {
        "zh": "这条消息里没有可以置顶的回答。",
        "en": "This message has no answer to pin.",
    },
    "pin.invalid": {"zh": "无法置顶：{reason}", "en": "Not pinned: {reason}"},
    "pin.discord_pin_failed": {
        "zh": "（答案已保存，但无法在频道中置顶这条消息。）",
        "en": "(The answer is stored, but the message could not be pinned in the channel.)",
    },
    "pin.message_gone": {
        "zh": "这条消息已经被删除，没有置顶任何内容。",
        "en": "That message was deleted: nothing was pinned.",
    },
    "pin.modal_title": {"zh": "置顶为答案", "en": "Pin as answer"},
    "pin.modal_questions": {
        "zh": "它回答的问题（每行一个）",
        "en": "Questions it answers (one per line)",
    },
    "pin.modal_answer": {"zh": "答案", "en": "Answer"},
    "pins.title": {"zh": "置顶的答案", "en": "Pinned answers"},
    "pins.none": {"zh": "还没有置顶的答案。", "en": "No pinned answers yet."},
    "pins.unknown": {
        "zh": "没有编号为 #{id} 的置顶答案。",
        "en": "There is no pinned answer #{id}.",
    },
    "pins.entry": {
        "zh": "{by} 于 {at} 置顶 · 使用 {uses} 次",
        "en": "pinned by {by} on {at} · used {uses} times",
    },
    "pins.removed": {"zh": "已移除置顶答案 #{id}。", "en": "Removed pinned answer #{id}."},
    "pins.edited": {"zh": "已更新置顶答案 #{id}。", "en": "Updated pinned answer #{id}."},
    "pins.questions": {"zh": "问题", "en": "Questions"},
    "pins.export": {
        "zh": "{count} 个置顶答案，YAML 格式。",
        "en": "{count} pinned answers, as YAML.",
    },
    "stats.title": {"zh": "最近 {days} 天的统计", "en": "The last {days} days"},
    "stats.questions": {"zh": "提问", "en": "Questions"},
    "stats.summary": {
        "zh": "{questions} 个问题，{unanswered_share} 没有找到答案；{votes} 个评价，其中 {up_share} 为 👍",
        "en": "{questions} questions, {unanswered_share} without an answer; {votes} votes, "
        "{up_share} 👍",
    },
    "stats.top": {"zh": "问得最多的", "en": "Asked most"},
    "stats.top_unanswered": {"zh": "没有答案的", "en": "Not answered"},
    "stats.nothing": {"zh": "（无）", "en": "(none)"},
    "command.pins": {"zh": "管理置顶的答案（管理员）", "en": "Manage pinned answers (moderators)"},
    "command.pins.list": {"zh": "列出置顶的答案", "en": "List the pinned answers"},
    "command.pins.show": {"zh": "显示一个置顶答案", "en": "Show one pinned answer"},
    "command.pins.edit": {"zh": "修改一个置顶答案", "en": "Edit a pinned answer"},
    "command.pins.remove": {"zh": "移除一个置顶答案", "en": "Remove a pinned answer"},
    "command.pins.export": {
        "zh": "导出置顶答案（YAML 文件）",
        "en": "Export the pinned answers (YAML)",
    },
    "command.pins.id": {"zh": "置顶答案的编号", "en": "Number of the pinned answer"},
    "command.stats": {
        "zh": "提问与评价统计（管理员）",
        "en": "Questions and feedback (moderators)",
    },
    "command.pin_message": {"zh": "置顶为答案", "en": "Pin as answer"},
    "shutting_down": {
        "zh": "机器人正在重启，请一分钟后再问。",
        "en": "The bot is restarting: please ask again in a minute.",
    },
    "command.reindex": {
        "zh": "重建索引并立即使用（仅限机器人所有者）",
        "en": "Rebuild the index and serve it (bot owner only)",
    },
    "reindex.not_owner": {
        "zh": "只有机器人的所有者可以重建索引。",
        "en": "Only the bot's owner can rebuild the index.",
    },
    "reindex.started": {"zh": "🔄 正在重建索引……", "en": "🔄 Rebuilding the index…"},
    "reindex.progress": {
        "zh": "🔄 正在重建索引：{stage} {done}/{total}",
        "en": "🔄 Rebuilding the index: {stage} {done}/{total}",
    },
    "reindex.up_to_date": {
        "zh": "✅ 索引已是最新（第 {generation} 代，{passages} 个段落）。",
        "en": "✅ The index is up to date (generation {generation}, {passages} passages).",
    },
    "reindex.published": {
        "zh": "✅ 已发布并开始使用第 {generation} 代索引：{passages} 个段落，"
        "{embedded} 段重新编码，用时 {seconds:.1f} 秒。{quality}",
        "en": "✅ Published and now serving generation {generation}: {passages} passages, "
        "{embedded} texts embedded, {seconds:.1f}s. {quality}",
    },
    "reindex.quality": {
        "zh": "MRR@10 {new} （之前 {served}）。",
        "en": "MRR@10 {new} (was {served}).",
    },
    "reindex.refused": {
        "zh": "⛔ 质量检查未通过，仍在使用原来的索引：{reason}",
        "en": "⛔ The quality gate refused the build; the served index is unchanged: {reason}",
    },
    "reindex.failed": {
        "zh": "❌ 重建失败，仍在使用原来的索引：{reason}",
        "en": "❌ The rebuild failed; the served index is unchanged: {reason}",
    },
    "reindex.not_served": {
        "zh": "⚠️ 新索引已发布，但机器人无法加载它，仍在使用原来的索引：{reason}",
        "en": "⚠️ The new index was published but could not be loaded; still serving the old "
        "one: {reason}",
    },
    # --- server settings (/settings) ---
    "command.settings": {
        "zh": "机器人在本服务器的设置（需要“管理服务器”权限）",
        "en": "The bot's settings in this server (Manage Server)",
    },
    "command.settings.show": {
        "zh": "显示机器人在本服务器的设置",
        "en": "Show the bot's settings in this server",
    },
    "command.settings.channels": {
        "zh": "机器人回答问题的频道",
        "en": "Channels where the bot answers",
    },
    "command.settings.channels.add": {"zh": "把频道加入列表", "en": "Add a channel to a list"},
    "command.settings.channels.remove": {
        "zh": "把频道从列表中移除",
        "en": "Remove a channel from a list",
    },
    "command.settings.channels.kind": {"zh": "哪个列表", "en": "Which list"},
    "command.settings.channels.channel": {"zh": "频道", "en": "The channel"},
    "choice.kind.enabled": {
        "zh": "enabled：回答提及我的消息",
        "en": "enabled: mentions are answered",
    },
    "choice.kind.thread": {
        "zh": "thread：每个回答开一个子区",
        "en": "thread: each answer opens a thread",
    },
    "choice.kind.forum": {"zh": "forum：求助论坛", "en": "forum: a help forum"},
    "command.settings.solved_tag": {
        "zh": "标记帖子已解决的论坛标签",
        "en": "The forum tag that marks a post solved",
    },
    "command.settings.solved_tag.name": {
        "zh": "标签名（最多 20 个字符）",
        "en": "Tag name (up to 20 characters)",
    },
    "command.settings.review_channel": {
        "zh": "已解决的帖子在哪个频道里被提议为置顶答案",
        "en": "Where solved posts are proposed as pinned answers",
    },
    "command.settings.review_channel.channel": {
        "zh": "频道（不填表示不提议）",
        "en": "The channel (leave out for none)",
    },
    "command.settings.cooldown": {
        "zh": "成员两次提问之间要等待的秒数",
        "en": "Seconds a member waits between two questions",
    },
    "command.settings.cooldown.seconds": {"zh": "秒数（0 到 3600）", "en": "Seconds (0 to 3600)"},
    "command.settings.language": {
        "zh": "看不出问题的语言时用什么语言回答",
        "en": "Reply language when a question's own language is unclear",
    },
    "command.settings.language.value": {"zh": "zh、en 或 auto", "en": "zh, en or auto"},
    "choice.language.zh": {"zh": "中文", "en": "Chinese"},
    "choice.language.en": {"zh": "英文", "en": "English"},
    "choice.language.auto": {
        "zh": "auto：不指定，由机器人决定",
        "en": "auto: no preference, the bot decides",
    },
    "command.settings.moderator_role": {
        "zh": "在本服务器担任管理员的身份组",
        "en": "Roles whose members are moderators here",
    },
    "command.settings.moderator_role.add": {
        "zh": "让一个身份组的成员成为管理员",
        "en": "Make a role's members moderators",
    },
    "command.settings.moderator_role.remove": {
        "zh": "一个身份组的成员不再是管理员",
        "en": "A role's members are no longer moderators",
    },
    "command.settings.moderator_role.role": {"zh": "身份组", "en": "The role"},
    "command.settings.when_unsure": {
        "zh": "论坛帖子没有好的答案时：保持沉默还是说明",
        "en": "In a forum post without a good answer: stay silent or say so",
    },
    "command.settings.when_unsure.reply": {"zh": "silent 或 say", "en": "silent or say"},
    "choice.unsure.silent": {"zh": "silent：什么都不说", "en": "silent: say nothing"},
    "choice.unsure.say": {
        "zh": "say：回复说没有好的答案",
        "en": "say: reply that there is no good answer",
    },
    "command.settings.reset": {
        "zh": "把一项设置恢复为默认值",
        "en": "Give a setting its default value again",
    },
    "command.settings.reset.setting": {"zh": "设置项", "en": "The setting"},
    "command.settings.history": {
        "zh": "谁在什么时候修改了哪项设置",
        "en": "Who changed which setting, and when",
    },
    "settings.name.enabled_channels": {"zh": "启用的频道", "en": "Enabled channels"},
    "settings.name.thread_channels": {"zh": "开子区回答的频道", "en": "Thread channels"},
    "settings.name.forum_channels": {"zh": "求助论坛", "en": "Help forums"},
    "settings.name.solved_tag": {"zh": "已解决标签", "en": "Solved tag"},
    "settings.name.review_channel": {"zh": "审核频道", "en": "Review channel"},
    "settings.name.cooldown_seconds": {"zh": "提问冷却时间", "en": "Cooldown"},
    "settings.name.language": {"zh": "默认回复语言", "en": "Reply language"},
    "settings.name.moderator_role_ids": {"zh": "管理员身份组", "en": "Moderator roles"},
    "settings.name.reply_when_unsure": {"zh": "没有好答案时", "en": "When unsure"},
    "settings.value.default": {"zh": "默认值", "en": "default"},
    "settings.value.all_channels": {"zh": "所有频道", "en": "all channels"},
    "settings.value.none": {"zh": "无", "en": "none"},
    "settings.value.seconds": {"zh": "{seconds} 秒", "en": "{seconds} s"},
    "settings.value.language.zh": {"zh": "中文", "en": "Chinese"},
    "settings.value.language.en": {"zh": "英文", "en": "English"},
    "settings.value.language.auto": {"zh": "自动", "en": "automatic"},
    "settings.value.unsure.say": {"zh": "回复说没有好的答案", "en": "say there is no good answer"},
    "settings.value.unsure.silent": {"zh": "保持沉默", "en": "stay silent"},
    "settings.title": {"zh": "机器人在本服务器的设置", "en": "The bot's settings in this server"},
    "settings.from_server": {"zh": "已用 /settings 修改", "en": "set with /settings"},
    "settings.from_default": {"zh": "配置文件的默认值", "en": "configured default"},
    "settings.footer": {
        "zh": "用 /settings 的子命令修改，/settings reset 恢复默认值，/settings history 查看修改记录。",
        "en": "Change them with the /settings subcommands, /settings reset restores a default, "
        "/settings history shows who changed what.",
    },
    "settings.changed": {"zh": "✅ {setting}：{old} → {new}", "en": "✅ {setting}: {old} → {new}"},
    "settings.unchanged": {
        "zh": "{setting}已经是 {value}，没有改动。",
        "en": "{setting} is already {value}: nothing changed.",
    },
    "settings.already_listed": {
        "zh": "{item} 已经在{setting}里了，没有改动。",
        "en": "{item} is already in {setting}: nothing changed.",
    },
    "settings.not_listed": {
        "zh": "{item} 不在{setting}里，没有改动。",
        "en": "{item} is not in {setting}: nothing changed.",
    },
    "settings.forum_needs_restart": {
        "zh": "⚠️ 机器人启动时没有申请“消息内容”特权（Message Content intent），暂时读不到论坛帖子："
        "请在开发者后台（Bot › Privileged Gateway Intents）为机器人开启它，然后重启机器人。",
        "en": "⚠️ The bot started without the Message Content intent, so it cannot read the "
        "posts of this forum yet: enable it for the bot in the developer portal (Bot › "
        "Privileged Gateway Intents) and restart the bot.",
    },
    "settings.reset_done": {
        "zh": "✅ {setting}已恢复为默认值：{value}",
        "en": "✅ {setting} is back to its default: {value}",
    },
    "settings.reset_nothing": {
        "zh": "{setting}本来就是默认值（{value}），没有改动。",
        "en": "{setting} already has its default value ({value}): nothing changed.",
    },
    "settings.history_title": {"zh": "设置的修改记录", "en": "Changes to the settings"},
    "settings.history_none": {
        "zh": "还没有人用 /settings 修改过设置。",
        "en": "No setting has been changed with /settings yet.",
    },
    "settings.history_footer": {
        "zh": "最近 {shown} 次修改，共 {total} 次",
        "en": "The latest {shown} of {total} changes",
    },
    "settings.error.unknown": {"zh": "没有这项设置：{name}。", "en": "There is no setting {name}."},
    "settings.error.not_a_list": {
        "zh": "{setting}不是列表，不能添加或移除。",
        "en": "{setting} is not a list: nothing can be added to or removed from it.",
    },
    "settings.error.channel_not_text": {
        "zh": "{channel} 不是文字频道：{setting}只能是文字频道或公告频道。",
        "en": "{channel} is not a text channel: {setting} takes text or announcement channels.",
    },
    "settings.error.channel_not_forum": {
        "zh": "{channel} 不是论坛频道：{setting}只能是论坛频道。",
        "en": "{channel} is not a forum channel: {setting} takes forum channels only.",
    },
    "settings.error.too_many": {
        "zh": "{setting}最多只能有 {limit} 项。",
        "en": "{setting} can hold at most {limit} entries.",
    },
    "settings.error.everyone_role": {
        "zh": "@everyone 不能作为管理员身份组：那样每个成员都会成为管理员。",
        "en": "@everyone cannot be a moderator role: every member would be a moderator.",
    },
    "settings.error.cooldown": {
        "zh": "冷却时间必须在 0 到 {limit} 秒之间。",
        "en": "The cooldown must be between 0 and {limit} seconds.",
    },
    "settings.error.solved_tag": {
        "zh": "标签名需要 1 到 {limit} 个字符。",
        "en": "A tag name has 1 to {limit} characters.",
    },
    "settings.error.language": {
        "zh": "回复语言只能是 zh、en 或 auto。",
        "en": "The reply language is zh, en or auto.",
    },
    "settings.error.invalid": {
        "zh": "{setting}的值无效：{reason}",
        "en": "Invalid value for {setting}: {reason}",
    },
    # --- members' data (/forget-me) ---
    "command.forget_me": {
        "zh": "删除机器人在本服务器保存的关于你的数据",
        "en": "Delete what the bot stores about you in this server",
    },
    "members.nothing": {
        "zh": "机器人在本服务器没有保存任何关于你的数据。",
        "en": "The bot stores nothing about you in this server.",
    },
    "members.confirm": {
        "zh": "机器人在本服务器保存了你的 {questions} 个问题、{votes} 个评价、{answers} 条回答记录、"
        "{forum_posts} 个论坛帖子记录和 {path_stages} 个标记为完成的学习阶段。确定要全部删除吗？"
        "删除后无法恢复。",
        "en": "The bot stores {questions} questions, {votes} votes, {answers} answer records, "
        "{forum_posts} forum post records and {path_stages} learning-path stages marked done of "
        "yours in this server. Delete them all? This cannot be undone.",
    },
    "members.deleted": {
        "zh": "✅ 已删除你在本服务器的 {questions} 个问题、{votes} 个评价、{answers} 条回答记录、"
        "{forum_posts} 个论坛帖子记录和 {path_stages} 个标记为完成的学习阶段。",
        "en": "✅ Deleted {questions} questions, {votes} votes, {answers} answer records, "
        "{forum_posts} forum post records and {path_stages} learning-path stages marked done of "
        "yours in this server.",
    },
    "members.cancelled": {
        "zh": "已取消，没有删除任何内容。",
        "en": "Cancelled: nothing was deleted.",
    },
    "members.not_yours": {
        "zh": "这个按钮属于另一位成员的 /forget-me。",
        "en": "This button belongs to another member's /forget-me.",
    },
    "button.forget_confirm": {"zh": "删除我的数据", "en": "Delete my data"},
    "button.cancel": {"zh": "取消", "en": "Cancel"},
    # --- learning paths (/path, careerbot path, "Make me a plan") ---
    "command.path": {
        "zh": "生成成为机器学习工程师的学习计划，并记录你的进度",
        "en": "Your learning plan to become a machine learning engineer, with your progress",
    },
    "path.unavailable": {
        "zh": "这个机器人的语料库没有学习路线（corpus/paths.yaml），暂时无法生成学习计划。",
        "en": "This bot's corpus has no learning paths (corpus/paths.yaml), so it cannot make a plan.",
    },
    "command.path.from": {"zh": "你从哪里起步", "en": "Where you start from"},
    "command.path.goal": {"zh": "目标岗位", "en": "The role to reach"},
    "command.path.hours": {
        "zh": "每周能学习的小时数（1–80，默认 10）",
        "en": "Hours a week you can study (1-80, default 10)",
    },
    "command.path.free": {"zh": "只要免费资源", "en": "Free resources only"},
    "command.path.language": {"zh": "资源的语言", "en": "Language of the resources"},
    "path.start.zero": {"zh": "从零开始", "en": "Starting from zero"},
    "path.start.student": {"zh": "定量学科的在校学生", "en": "Student of a quantitative degree"},
    "path.start.developer": {"zh": "软件开发者", "en": "Software developer"},
    "path.start.data-scientist": {"zh": "数据科学家", "en": "Data scientist"},
    "path.start.other-field": {"zh": "来自其他领域", "en": "From another field"},
    "path.goal.ml-engineer": {"zh": "机器学习工程师", "en": "Machine learning engineer"},
    "path.language.zh": {"zh": "中文", "en": "Chinese"},
    "path.language.en": {"zh": "英文", "en": "English"},
    "path.plan": {"zh": "学习计划：{route}", "en": "Learning plan: {route}"},
    "path.estimate": {
        "zh": "⏱ 按每周 {hours} 小时计，约 **{months} 个月**",
        "en": "⏱ About **{months} months** at {hours} hours a week",
    },
    "path.estimate_plain": {
        "zh": "按每周 {hours} 小时计，约 {months} 个月",
        "en": "About {months} months at {hours} hours a week",
    },
    "path.next": {"zh": "下一阶段：{stage}", "en": "Next: {stage}"},
    "path.all_done": {
        "zh": "🎉 所有阶段都已完成，可以开始找工作了！",
        "en": "🎉 Every stage is done: time to apply!",
    },
    "path.progress": {
        "zh": "已完成 {done}/{total} 个阶段",
        "en": "{done} of {total} stages done",
    },
    "path.covered": {"zh": "你的起点已具备", "en": "your starting point covers it"},
    "path.done": {"zh": "已完成", "en": "done"},
    "path.done_title": {"zh": "✅ 已完成或已具备", "en": "✅ Done or already covered"},
    "path.no_resources": {
        "zh": "资源目录中没有这个阶段的资源。",
        "en": "The catalogue has no resource for this stage.",
    },
    "path.stages": {"zh": "阶段", "en": "Stages"},
    "path.resources": {"zh": "资源", "en": "Resources"},
    "path.sources": {"zh": "依据", "en": "Behind it"},
    "path.sources_list": {"zh": "依据：", "en": "Behind it:"},
    "path.notes": {"zh": "说明", "en": "Notes"},
    "path.footer": {
        "zh": "阶段、估计和引文都来自语料库中的文章；在下面标记你已完成的阶段。",
        "en": "Stages, estimate and quotes come from the corpus's articles; mark the stages you "
        "have done below.",
    },
    "path.footer_dm": {
        "zh": "阶段、估计和引文都来自语料库中的文章；进度按服务器保存，请在服务器里使用 /path 记录。",
        "en": "Stages, estimate and quotes come from the corpus's articles; progress is kept per "
        "server: use /path in a server to keep your place.",
    },
    "path.select": {"zh": "标记你已完成的阶段", "en": "Mark the stages you have done"},
    "path.other_server": {
        "zh": "这个学习计划来自另一个服务器，不能在这里标记。请在这里使用 /path。",
        "en": "This plan comes from another server and cannot be marked here: use /path here.",
    },
    "button.plan": {"zh": "帮我制定学习计划", "en": "Make me a plan"},
    "button.path_sources": {"zh": "全部依据", "en": "All sources"},
}


def language_of_locale(locale: object) -> Language:
    """'zh' for Discord's Chinese locales (zh-CN, zh-TW), else 'en'."""
    return "zh" if str(getattr(locale, "value", locale)).startswith("zh") else "en"


def traditional_locale(locale: object) -> bool:
    """Whether a Discord locale reads Traditional Chinese (zh-TW; the table is Simplified)."""
    return str(getattr(locale, "value", locale)) == "zh-TW"


def t(key: str, language: Language, **values: object) -> str:
    """The string `key` in `language`, with `{placeholders}` filled from `values`."""
    text = _STRINGS[key][language]
    return text.format(**values) if values else text
