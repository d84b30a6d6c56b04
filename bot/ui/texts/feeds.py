"""Texts of topic channels (/digest set ... topic, several digest channels per server), in
English and Korean."""

from __future__ import annotations

COMMAND_TEXT_KO: dict[str, str] = {
    "Only papers matching this topic, e.g. computer vision, video (default: every paper)": "이 주제에 맞는 논문만, 예: computer vision, video (기본값: 모든 논문)",
    "A topic channel on a day without a match (default: stay quiet)": "주제 채널에 맞는 논문이 없는 날 (기본값: 게시 안 함)",
    "stay quiet": "게시 안 함",
    "post a line": "한 줄 게시",
    "Channel to stop (default: every digest channel)": "중지할 채널 (기본값: 모든 다이제스트 채널)",
}

MESSAGES: dict[str, dict[str, str]] = {
    "feed_matched": {
        "en": "{n} of the day's {m} papers match «{topic}»; {k} skipped",
        "ko": "이날 논문 {m}편 중 {n}편이 «{topic}» 주제에 맞습니다. {k}편은 건너뛰었습니다",
    },
    "feed_no_match": {
        "en": "Daily Papers {day}: none of the day's {m} papers match «{topic}».",
        "ko": "데일리 페이퍼 {day}: 이날 논문 {m}편 중 «{topic}» 주제에 맞는 논문이 없습니다.",
    },
    "feed_topic_long": {
        "en": "A topic can be at most {n} characters.",
        "ko": "주제는 {n}자까지 쓸 수 있습니다.",
    },
    "feed_too_many": {
        "en": "This server already has {n} digest channels; turn one off with /digest off first.",
        "ko": "이 서버에는 이미 다이제스트 채널이 {n}개 있습니다. 먼저 /digest off로 하나를 끄세요.",
    },
    "feed_empty_needs_topic": {
        "en": "`empty` is for topic channels: a channel without a topic gets every paper.",
        "ko": "`empty`는 주제 채널에만 쓸 수 있습니다. 주제가 없는 채널은 모든 논문을 받습니다.",
    },
    "digest_set_topic": {
        "en": "Daily digest: {channel} at {time} ({tz}), in {lang_name}, only papers matching «{topic}» ({empty}). The next post is at {next}.",
        "ko": "데일리 다이제스트: {channel}, {time} ({tz}), {lang_name}, «{topic}» 주제에 맞는 논문만 ({empty}). 다음 게시: {next}.",
    },
    "feed_empty_quiet": {
        "en": "nothing on a day without a match",
        "ko": "맞는 논문이 없는 날은 게시하지 않음",
    },
    "feed_empty_line": {
        "en": "one line on a day without a match",
        "ko": "맞는 논문이 없는 날은 한 줄만 게시",
    },
    "digest_off_channel": {
        "en": "Daily digest posts in {channel} are off.",
        "ko": "{channel}의 데일리 다이제스트 게시를 껐습니다.",
    },
    "digest_was_off_channel": {
        "en": "Daily digest posts in {channel} were not on.",
        "ko": "{channel}의 데일리 다이제스트 게시는 켜져 있지 않았습니다.",
    },
    "status_topic": {"en": "Topic: «{topic}» ({empty})", "ko": "주제: «{topic}» ({empty})"},
    "note_quiet": {
        "en": "No paper of {day} matched the topic; nothing was posted.",
        "ko": "{day}에는 주제에 맞는 논문이 없어 게시하지 않았습니다.",
    },
    "digest_quiet": {
        "en": "No paper of {day} matches «{topic}»; nothing was posted in {channel}.",
        "ko": "{day}에는 «{topic}» 주제에 맞는 논문이 없어 {channel}에 게시하지 않았습니다.",
    },
}
