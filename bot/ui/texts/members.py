"""Texts of subscriptions, /trend, /saved, "Find papers" and the weekly roll-up, in English and
Korean."""

from __future__ import annotations

COMMAND_TEXT_KO: dict[str, str] = {
    "Get one DM a day when new papers match a topic or an author": "주제나 저자에 맞는 새 논문을 하루 한 번 DM으로 받습니다",
    "A topic or question, e.g. video generation with camera control": "주제 또는 질문, 예: 카메라 제어 비디오 생성",
    "An author's name (type to search the digests)": "저자 이름 (입력하면 다이제스트에서 검색)",
    "List your subscriptions and remove them": "내 구독 목록을 보고 삭제합니다",
    "Chart of the papers on a topic per week, with the peak weeks' top papers": "주제에 맞는 주간 논문 수 차트와 정점 주의 상위 논문",
    "A topic or keyword, in Korean or English": "주제 또는 키워드 (한국어 또는 영어)",
    "Period ending at the latest digest (default: all)": "최신 다이제스트로 끝나는 기간 (기본값: 전체)",
    "Your saved papers": "저장한 논문 목록",
    "Weekly roll-up every Monday at the daily post time": "매주 월요일 데일리 게시 시각에 주간 요약",
    "Post the weekly roll-up every Monday": "매주 월요일 주간 요약을 게시합니다",
    "Stop the weekly roll-up": "주간 요약 게시를 중지합니다",
}

MESSAGES: dict[str, dict[str, str]] = {
    # /subscribe, /subscriptions
    "subs_need_one": {
        "en": "Give a `topic` or an `author` (one of them).",
        "ko": "`topic`(주제) 또는 `author`(저자) 중 하나를 입력하세요.",
    },
    "subs_added_topic": {
        "en": "Subscribed to the topic **{text}**. After each daily update you get at most one DM a day listing the new papers that match. (Allow DMs from this server's members.)",
        "ko": "주제 **{text}** 구독을 시작했습니다. 매일 업데이트 후 맞는 새 논문을 하루 최대 한 번 DM으로 보내드립니다. (이 서버 멤버의 DM을 허용해 주세요.)",
    },
    "subs_added_author": {
        "en": "Subscribed to papers by **{text}** ({n} in the digests so far). After each daily update you get at most one DM a day listing their new papers. (Allow DMs from this server's members.)",
        "ko": "**{text}** 저자의 논문 구독을 시작했습니다 (지금까지 {n}편). 매일 업데이트 후 새 논문을 하루 최대 한 번 DM으로 보내드립니다. (이 서버 멤버의 DM을 허용해 주세요.)",
    },
    "subs_unknown_author": {
        "en": "No author named `{value}` is in the digests; pick a name from the suggestions.",
        "ko": "다이제스트에 `{value}` 저자가 없습니다. 제안 목록에서 이름을 고르세요.",
    },
    "subs_bad_topic": {
        "en": "A topic needs at least two characters.",
        "ko": "주제는 두 글자 이상이어야 합니다.",
    },
    "subs_duplicate": {"en": "You already follow that.", "ko": "이미 구독 중입니다."},
    "subs_full": {
        "en": "You already have {max} subscriptions, the most allowed; remove one with /subscriptions first.",
        "ko": "구독은 최대 {max}개까지입니다. 먼저 /subscriptions 에서 하나를 삭제하세요.",
    },
    "subs_list_title": {"en": "Your subscriptions ({n}/{max})", "ko": "내 구독 ({n}/{max})"},
    "subs_none": {
        "en": "You have no subscriptions. Use `/subscribe topic:` or `/subscribe author:`.",
        "ko": "구독이 없습니다. `/subscribe topic:` 또는 `/subscribe author:` 로 추가하세요.",
    },
    "subs_refused": {
        "en": "⚠ Your DMs are closed to me (found {when}), so I stopped sending. Allow DMs from this server's members, then run /subscribe again to resume.",
        "ko": "⚠ DM을 보낼 수 없어({when} 확인) 전송을 멈췄습니다. 이 서버 멤버의 DM을 허용한 뒤 /subscribe 를 다시 실행하면 재개됩니다.",
    },
    "subs_kind_topic": {"en": "Topic: {text}", "ko": "주제: {text}"},
    "subs_kind_author": {"en": "Author: {text}", "ko": "저자: {text}"},
    "subs_remove": {"en": "Remove {n}", "ko": "{n}번 삭제"},
    "subs_dm_title": {"en": "Your subscriptions — {day}", "ko": "구독 알림 — {day}"},
    "subs_dm_intro": {
        "en": "{n} new papers match your subscriptions:",
        "ko": "구독과 맞는 새 논문 {n}편:",
    },
    "subs_dm_intro_part": {
        "en": "{n} new papers match your subscriptions; {first}–{last} here (message {k} of {parts}):",
        "ko": "구독과 맞는 새 논문 {n}편 중 {first}–{last}번 (메시지 {k}/{parts}):",
    },
    "subs_dm_footer": {
        "en": "At most one DM a day · manage with /subscriptions",
        "ko": "하루 최대 한 번 · /subscriptions 에서 관리",
    },
    # /trend
    "trend_title": {"en": "Papers per week: {topic}", "ko": "주간 논문 수: {topic}"},
    "trend_summary": {
        "en": "{total} matching papers, {since} – {until} ({weeks} weeks).",
        "ko": "{since} – {until} ({weeks}주) 동안 맞는 논문 {total}편.",
    },
    "trend_peak": {"en": "Week of {week}: {n} papers", "ko": "{week} 주: {n}편"},
    "trend_peak_one": {"en": "Week of {week}: 1 paper", "ko": "{week} 주: 1편"},
    "trend_none": {
        "en": "No papers match **{topic}** in this period.",
        "ko": "이 기간에 **{topic}**에 맞는 논문이 없습니다.",
    },
    "trend_axis_week": {"en": "Week", "ko": "주"},
    "trend_axis_papers": {"en": "Papers", "ko": "논문 수"},
    # saved papers
    "saved_title": {"en": "Your saved papers ({n})", "ko": "저장한 논문 ({n}편)"},
    "saved_none": {
        "en": "You have no saved papers; press Save under a paper card.",
        "ko": "저장한 논문이 없습니다. 논문 카드 아래의 저장 버튼을 누르세요.",
    },
    "saved_added": {
        "en": "Saved **{title}**. See /saved.",
        "ko": "**{title}** 저장했습니다. /saved 에서 볼 수 있습니다.",
    },
    "saved_already": {
        "en": "**{title}** is already saved.",
        "ko": "**{title}**은(는) 이미 저장되어 있습니다.",
    },
    "saved_removed": {
        "en": "Removed **{title}** from your saved papers.",
        "ko": "저장한 논문에서 **{title}**을(를) 삭제했습니다.",
    },
    "saved_save": {"en": "Save", "ko": "저장"},
    "saved_unsave": {"en": "Remove from saved", "ko": "저장 삭제"},
    # Find papers (message context menu)
    "find_empty": {
        "en": "That message has no text to search with.",
        "ko": "이 메시지에는 검색할 텍스트가 없습니다.",
    },
    "find_title": {"en": "Papers for this message", "ko": "이 메시지와 관련된 논문"},
    # weekly roll-up
    "weekly_title": {"en": "Weekly roll-up — {week}", "ko": "주간 요약 — {week}"},
    "weekly_window": {
        "en": "Top papers by votes, {since} – {until}",
        "ko": "{since} – {until} 추천 상위 논문",
    },
    "weekly_rising": {"en": "Rising topics", "ko": "떠오르는 주제"},
    "weekly_growth": {
        "en": "• {term}: {n} papers this week ({before} a week in the four weeks before)",
        "ko": "• {term}: 이번 주 {n}편 (이전 4주 주당 {before}편)",
    },
    "weekly_chart_title": {
        "en": "Rising topics, week of {week}",
        "ko": "떠오르는 주제 ({week} 주)",
    },
    "weekly_chart_this": {"en": "This week", "ko": "이번 주"},
    "weekly_chart_before": {"en": "Weekly average, 4 weeks before", "ko": "이전 4주 주간 평균"},
    "weekly_on": {
        "en": "Weekly roll-up on: every Monday at {time} ({zone}) in {channel}.",
        "ko": "주간 요약을 켰습니다: 매주 월요일 {time} ({zone}), {channel} 채널.",
    },
    "weekly_off": {"en": "Weekly roll-up off.", "ko": "주간 요약을 껐습니다."},
    "weekly_cannot_post": {
        "en": "I can't post the weekly roll-up in {channel}: I am missing {perms} there. Give me these permissions in that channel, then run /digest weekly on again.",
        "ko": "{channel}에 주간 요약을 게시할 수 없습니다. 그 채널에서 봇에 {perms} 권한이 없습니다. 권한을 준 뒤 /digest weekly on을 다시 쓰세요.",
    },
    "weekly_stopped_notice": {
        "en": "The weekly roll-up in **{guild}** has stopped: I can't post in {channel}: {reason}. Fix it, then run /digest weekly on again; /digest status shows the details.",
        "ko": "**{guild}** 서버의 주간 요약 게시가 멈췄습니다. {channel}에 게시할 수 없습니다: {reason}. 문제를 고친 뒤 /digest weekly on을 다시 쓰세요. 자세한 내용은 /digest status에 있습니다.",
    },
    "weekly_status_on": {
        "en": "Weekly roll-up: **on**, Mondays at the post time",
        "ko": "주간 요약: **켜짐**, 매주 월요일 게시 시각",
    },
    "weekly_status_stopped": {
        "en": "Weekly roll-up: **stopped**, {reason}. Fix it and run /digest weekly on again.",
        "ko": "주간 요약: **멈춤**, {reason}. 문제를 고친 뒤 /digest weekly on을 다시 쓰세요.",
    },
    "weekly_status_error": {
        "en": "Weekly roll-up, last error ({when}): {error}",
        "ko": "주간 요약 마지막 오류 ({when}): {error}",
    },
    "weekly_need_digest": {
        "en": "Set the daily digest first with /digest set: the roll-up uses its channel, time and zone.",
        "ko": "먼저 /digest set 으로 데일리 다이제스트를 설정하세요. 주간 요약은 그 채널, 시각, 시간대를 씁니다.",
    },
}
