"""Rendering of search results for the terminal (`careerbot ask`)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from bot.formatting import excerpt
from bot.i18n import t
from index.retriever import Hit, SearchResult


def _passage_block(number: int, hit: Hit, result: SearchResult) -> Text:
    language = result.language
    block = Text()
    block.append(f"{number}. {hit.title}", style="bold")
    if hit.heading_path:
        block.append(f"  › {' › '.join(hit.heading_path)}", style="dim")
    block.append("\n   " + excerpt(hit.text).replace("\n", "\n   ") + "\n")
    if hit.url:
        block.append(f"   {t('source', language)}: ", style="dim")
        block.append(hit.url, style=f"link {hit.url} cyan")
        block.append("\n")
    return block


def _resource_block(hit: Hit, result: SearchResult) -> Text:
    language = result.language
    level = t(f"level.{hit.extra['level']}", language)
    cost = t(f"cost.{hit.extra['cost']}", language)
    block = Text()
    block.append(f"• {hit.title}", style="bold")
    block.append(f"  ({hit.extra['provider']} · {level} · {cost})\n", style="dim")
    if hit.url:
        block.append(f"  {hit.url}\n", style=f"link {hit.url} cyan")
    block.append(f"  {hit.text}\n")
    return block


def render_answer(result: SearchResult, console: Console) -> None:
    """Print the best passages and resources, labelled in the question's language."""
    language = result.language
    if result.answered:
        if result.lead:
            console.print(Text("» " + " ".join(result.lead.split()), style="bold"))
        passages = [_passage_block(i, h, result) for i, h in enumerate(result.passages, 1)]
        console.print(Panel(Group(*passages), title=t("passages", language), title_align="left"))
        resources_title = t("resources", language)
    else:
        console.print(f"[bold]{escape(t('no_answer', language))}[/bold]")
        console.print(escape(t("rephrase_hint", language)))
        resources_title = t("closest_resources", language)
    if result.resources:
        blocks = [_resource_block(h, result) for h in result.resources]
        console.print(Panel(Group(*blocks), title=resources_title, title_align="left"))
    console.print(Text(t("footer", language), style="dim"))
