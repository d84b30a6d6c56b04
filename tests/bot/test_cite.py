"""BibTeX through Discord: /saved-export attaches the member's saved papers privately (split
into several files over the upload limit), and Cite under cards (a /paper reply, a daily-post
message, after a restart) shows one entry privately, with the key the export gives it."""

from __future__ import annotations

import pytest

from bot.saved import bibtex
from tests.bot.bibparse import parse
from tests.bot.helpers import FIRST_POST

MAP_NEO, SOTOPIA = "2405.19327", "2403.08715"


def said(result):
    return result.followups[0] if result.followups else result.response


def sent(result) -> list:
    """The messages of a deferred reply: the edited response, then the followups."""
    return [result.response, *result.followups]


async def exported(result) -> list[tuple[str, str]]:
    """(file name, text) of every file the export's messages carry."""
    files = []
    for message in sent(result):
        for attachment in message.attachments:
            files.append((attachment.filename, (await attachment.read()).decode("utf-8")))
    return files


async def test_export_with_no_one_and_many_saved_papers(simcord_env, simcord_bot, server) -> None:
    member = server.member
    none = await member.slash(server.channel, "saved-export")
    assert none.ephemeral and said(none).content.startswith("You have no saved papers to export")
    assert not said(none).attachments

    card = said(await member.slash(server.channel, "paper", arxiv_id=MAP_NEO))
    await member.click(card, label="Save")
    one = await member.slash(server.channel, "saved-export")
    assert one.ephemeral and len(sent(one)) == 1
    assert said(one).content == "Your saved papers (1) as BibTeX: `saved-papers.bib`."
    [(name, text)] = await exported(one)
    [(kind, key, fields)] = parse(text)
    assert (name, kind, key) == ("saved-papers.bib", "misc", "lin2024mapneo")
    assert fields["eprint"] == MAP_NEO and fields["url"] == f"https://arxiv.org/abs/{MAP_NEO}"
    assert fields["year"] == "2024" and fields["author"].startswith("Bill Lin and Yiming Liang")

    every = sorted(simcord_bot.index.by_id)
    for arxiv_id in every:
        simcord_bot.state.saved.save(member.id, arxiv_id)
    many = await member.slash(server.channel, "saved-export")
    [(_, text)] = await exported(many)
    entries = parse(text)  # raises on unbalanced braces or an unescaped special character
    assert sorted(fields["eprint"] for _, _, fields in entries) == every
    keys = [key for _, key, _ in entries]
    assert len(set(keys)) == len(keys) == 62
    titles = {fields["eprint"]: fields["title"] for _, _, fields in entries}
    assert titles[SOTOPIA].startswith(r"SOTOPIA-\$π\$: Interactive")  # escaped, UTF-8 kept
    other = await server.admin.slash(server.channel, "saved-export")  # each member their own
    assert not said(other).attachments


async def test_a_big_export_is_split_under_the_upload_limit(
    simcord_env, simcord_bot, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit lowered to a few entries: 62 papers need several files, each message's files
    together under the limit (so one file a message here), every entry whole and exactly
    once. (At most 10 files a message: tests/bot/test_bibtex.py.)"""
    monkeypatch.setattr(bibtex, "UPLOAD_LIMIT", 3000)
    every = sorted(simcord_bot.index.by_id)
    for arxiv_id in every:
        simcord_bot.state.saved.save(server.member.id, arxiv_id)
    result = await server.member.slash(server.channel, "saved-export")
    assert result.ephemeral and all(m.flags.ephemeral for m in sent(result))
    files = await exported(result)
    assert len(files) >= 5 and len(sent(result)) == len(files)
    assert all(sum(a.size for a in m.attachments) <= 3000 for m in sent(result))
    assert [name for name, _ in files] == [
        f"saved-papers-{n}.bib" for n in range(1, len(files) + 1)
    ]
    eprints = [fields["eprint"] for _, text in files for _, _, fields in parse(text)]
    assert sorted(eprints) == every
    head = result.response.content
    assert head.startswith(f"Your saved papers (62) as BibTeX, in {len(files)} files")


async def test_cite_under_a_paper_reply_and_in_korean(simcord_env, server, korean_client) -> None:
    card = said(await server.member.slash(server.channel, "paper", arxiv_id=MAP_NEO))
    cited = await server.admin.click(card, label="인용")  # anyone may cite
    assert cited.ephemeral
    text = said(cited).content
    assert text.startswith("**MAP-Neo: Highly Capable") and "**의 BibTeX:\n" in text
    block = text.split("```bibtex\n", 1)[1].rsplit("```", 1)[0]
    [(_, key, fields)] = parse(block)
    assert key == "lin2024mapneo" and fields["eprint"] == MAP_NEO

    await server.admin.click(card, label="저장")
    export = await server.admin.slash(server.channel, "saved-export")
    assert said(export).content.startswith("저장한 논문 1편의 BibTeX")
    [(_, text)] = await exported(export)
    [(_, exported_key, _)] = parse(text)
    assert exported_key == key  # the same paper, the same key


async def test_cite_in_a_daily_post_before_and_after_a_restart(simcord_env, server) -> None:
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await simcord_env.advance_time(FIRST_POST)
    [thread] = server.channel.threads
    first = thread.history()[0]
    assert len(first.embeds) > 1
    [menu] = [c for row in first.components for c in row.children if c.custom_id == "cards:cite"]
    second = first.embeds[1].url.rsplit("/", 1)[1]
    assert [o.value for o in menu.options] == [e.url.rsplit("/", 1)[1] for e in first.embeds]
    assert menu.options[1].label.startswith("2. ")

    from bot import create_bot

    await simcord_env.restart_bot(create_bot())  # the menu outlives the bot process
    cited = await server.member.select(first, [second], custom_id="cards:cite")
    assert cited.ephemeral
    [(_, _, fields)] = parse(said(cited).content.split("```bibtex\n", 1)[1].rsplit("```", 1)[0])
    assert fields["eprint"] == second


async def test_an_entry_too_long_for_a_message_comes_as_a_file(
    simcord_env, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.saved import cite

    monkeypatch.setattr(cite, "MESSAGE", 200)  # as for a paper with hundreds of authors
    card = said(await server.member.slash(server.channel, "paper", arxiv_id=MAP_NEO))
    cited = await server.member.click(card, label="Cite")
    assert cited.ephemeral and "```" not in said(cited).content
    [attachment] = said(cited).attachments
    assert attachment.filename == f"{MAP_NEO}.bib"
    [(_, key, _)] = parse((await attachment.read()).decode())
    assert key == "lin2024mapneo"
