"""How the bot delivers what it sends on its own (nobody pressed anything): the daily post
(bot/digest/posting.py), the subscription DMs (bot/subscriptions/notify.py) and the weekly
roll-up (bot/weekly/runner.py) all go through this package.

- once.py: exactly once. Every send is marked pending in bot.sqlite before it goes out and
  recorded with what Discord answered in the write that clears the mark; a pending mark found
  later (an error or a crash in between) is first looked for in the target's recent history
  (the bot's own messages, recognised by what each feature puts in them) before anything is
  sent again.
- policy.py: one failure policy. A target that is gone or refuses the bot (403, 404 Unknown
  Channel / User) stops that feature there and the people concerned are told (notice.py);
  5xx, 429 and network errors are temporary: retried after 1, 2, 4, 8, 16, then 30 minutes, at
  most MAX_TRIES times and never past the feature's next regular time; other errors get the
  same bounded tries and are then given up.
"""
