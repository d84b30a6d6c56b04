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
