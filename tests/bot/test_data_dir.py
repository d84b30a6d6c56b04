"""The running bot owns its data dir: a hand-run ingest beside it is refused with a sentence
(two writers corrupt an embedded index), also after a restart."""

from __future__ import annotations

from tests.store.test_writelock import finish, start


async def test_the_running_bot_owns_its_data_dir(simcord_bot, simcord_env, env) -> None:
    code, err = finish(start(env, "ingest"))
    assert code == 3 and "`paperbot run`" in err and "/reindex" in err
    from bot import create_bot

    await simcord_env.restart_bot(create_bot())
    code, err = finish(start(env, "ingest"))
    assert code == 3, "the restarted bot holds it again"


async def test_reindex_from_an_emptied_folder_keeps_the_index(
    simcord_bot, simcord_env, server, tmp_path
) -> None:
    """/reindex over a folder that lost its files refuses, says why, and the index answers on;
    a second /reindex cannot drop the last good generation either."""
    simcord_bot.settings.admin_guild_id = server.guild.id
    empty = tmp_path / "unmounted"
    empty.mkdir()
    simcord_bot.settings.digests = empty
    before = simcord_bot.index.generation
    for _ in range(2):
        result = await server.admin.slash(server.channel, "reindex")
        simcord_bot.get_cog("Admin").cooldown.reset()
        text = (result.followups[-1] if result.followups else result.response).content
        assert "The index was left as it was: no digest papers found in" in text
        assert "Sorry" not in text
    assert simcord_bot.index.generation == before
    today = await server.member.slash(server.channel, "today")
    shown = today.followups[0] if today.followups else today.response
    assert "2024-05-30" in shown.embeds[0].title
    assert simcord_env.errors  # the refusals, read here so teardown does not fail
