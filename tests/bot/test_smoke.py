async def test_today(simcord_env):
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("papers")
    alice = guild.add_member(simcord_env.create_user("alice"))
    result = await alice.slash(channel, "today")
    msg = result.response
    print(msg.embeds[0].to_dict())
    await alice.click(msg, label="Next")
    print(result.response.embeds[0].to_dict())
