"""Texts of /today, /top, /ask, /paper, /similar, the daily digest and the admin commands, in
English and Korean."""

from __future__ import annotations

# Command, option and choice descriptions: the English source text (what the decorators say)
# -> Korean. Discord shows the Korean to clients whose locale is Korean.
COMMAND_TEXT_KO: dict[str, str] = {
    "Show the latest digest, or the one for a date": "최신 데일리 페이퍼 다이제스트(또는 지정한 날짜)를 보여줍니다",
    "Date as YYYY-MM-DD (default: the latest digest)": "날짜 YYYY-MM-DD (기본값: 최신 다이제스트)",
    "Top-voted papers in a period ending at the latest digest": "최신 다이제스트까지의 기간에서 추천을 가장 많이 받은 논문",
    "Period ending at the latest digest date (default: week)": "최신 다이제스트 날짜로 끝나는 기간 (기본값: 1주)",
    "How many papers (1-25, default 10)": "논문 수 (1-25, 기본값 10)",
    "day": "하루",
    "week": "1주",
    "month": "1개월",
    "year": "1년",
    "all": "전체",
    "Ask a question; get the papers whose summaries answer it": "질문하면 요약이 답이 되는 논문을 찾아줍니다",
    "Your question, in Korean or English": "질문 (한국어 또는 영어)",
    "Only papers from this date on (YYYY-MM-DD)": "이 날짜 이후의 논문만 (YYYY-MM-DD)",
    "Only papers up to this date (YYYY-MM-DD)": "이 날짜까지의 논문만 (YYYY-MM-DD)",
    "Only papers with at least this many votes": "추천 수가 이 값 이상인 논문만",
    "Show one paper's full card": "논문 한 편의 전체 카드를 보여줍니다",
    "arXiv id, e.g. 2405.19327 (type to search titles)": "arXiv ID, 예: 2405.19327 (입력하면 제목으로 검색)",
    "Papers most similar to one paper": "한 논문과 가장 비슷한 논문들",
    "Daily digest posts for this server": "이 서버의 데일리 다이제스트 게시",
    "Post the daily digest in a channel": "채널에 매일 다이제스트를 게시합니다",
    "Channel to post in": "게시할 채널",
    "Post time HH:MM (default 07:00)": "게시 시각 HH:MM (기본값 07:00)",
    "IANA time zone, e.g. Asia/Seoul": "IANA 시간대, 예: Asia/Seoul",
    "Language of the posts (default: the server's)": "게시 언어 (기본값: 서버 언어)",
    "Korean": "한국어",
    "English": "영어",
    "Stop the daily digest posts": "데일리 다이제스트 게시를 중지합니다",
    "Post the newest digest now, if it was not posted yet": "아직 게시하지 않았다면 최신 다이제스트를 지금 게시합니다",
    "Show the daily digest settings, the last and next post and the last error": "데일리 다이제스트 설정, 마지막/다음 게시, 마지막 오류를 보여줍니다",
    "Rebuild the search index from the digest source": "다이제스트 원본으로 검색 색인을 다시 만듭니다",
}

MESSAGES: dict[str, dict[str, str]] = {
    # rendering
    "overview_title": {"en": "Daily Papers {day}", "ko": "데일리 페이퍼 {day}"},
    "overview_count": {"en": "{count} papers, by votes", "ko": "논문 {count}편, 추천순"},
    "nearest_earlier": {
        "en": "No digest on {asked}; showing the nearest earlier one, {day}.",
        "ko": "{asked}에는 다이제스트가 없어 가장 가까운 이전 날짜 {day}를 보여줍니다.",
    },
    "more_in_pages": {
        "en": "… and {n} more in the pages below",
        "ko": "… 외 {n}편은 아래 페이지에",
    },
    "more_in_thread": {"en": "… and {n} more in the thread", "ko": "… 외 {n}편은 스레드에"},
    "more_below": {"en": "… and {n} more below", "ko": "… 외 {n}편은 아래에"},
    "top_title": {"en": "Top {count} by votes", "ko": "추천 상위 {count}편"},
    "top_window": {"en": "{since} – {until}", "ko": "{since} – {until}"},
    "ask_title": {"en": "Papers for your question", "ko": "질문에 맞는 논문"},
    "question": {"en": "Question: {q}", "ko": "질문: {q}"},
    "nothing_found": {
        "en": "Nothing relevant found in the digests for this question.",
        "ko": "이 질문과 관련된 논문을 다이제스트에서 찾지 못했습니다.",
    },
    "similar_title": {"en": "Papers similar to {title}", "ko": "{title}와(과) 비슷한 논문"},
    "no_similar": {"en": "No similar papers found.", "ko": "비슷한 논문을 찾지 못했습니다."},
    "matching": {"en": "Matching summary lines", "ko": "질문과 맞는 요약"},
    "field_date": {"en": "Date", "ko": "날짜"},
    "field_votes": {"en": "Votes", "ko": "추천"},
    "field_authors": {"en": "Authors", "ko": "저자"},
    "field_links": {"en": "Links", "ko": "링크"},
    "media": {"en": "Video/media", "ko": "영상/미디어"},
    "hf_page": {"en": "Hugging Face page", "ko": "Hugging Face 페이지"},
    "link_code": {"en": "Code", "ko": "코드"},
    "link_project": {"en": "Project", "ko": "프로젝트"},
    "footer_ai_english": {
        "en": "English: the paper's abstract and Hugging Face's AI one-line summary · "
        "Korean: AI-generated text from Hugging Face Daily Papers",
        "ko": "영어: 논문 초록과 Hugging Face의 AI 한 줄 요약 · "
        "한국어: Hugging Face Daily Papers의 AI 생성 텍스트",
    },
    "footer_ai": {
        "en": "Summary: AI-generated Korean text from Hugging Face Daily Papers",
        "ko": "요약: Hugging Face Daily Papers의 AI 생성 한국어 텍스트",
    },
    "footer_list": {
        "en": "Hugging Face Daily Papers · summaries are AI-generated Korean text",
        "ko": "Hugging Face Daily Papers · 요약은 AI가 생성한 한국어 텍스트",
    },
    "thread_name": {"en": "Daily Papers {day}", "ko": "데일리 페이퍼 {day}"},
    # pager
    "first": {"en": "First", "ko": "처음"},
    "prev": {"en": "Prev", "ko": "이전"},
    "next": {"en": "Next", "ko": "다음"},
    "last": {"en": "Last", "ko": "끝"},
    "not_yours": {
        "en": "Only the person who ran this command can turn its pages.",
        "ko": "이 명령을 실행한 사람만 페이지를 넘길 수 있습니다.",
    },
    # user errors
    "no_index": {
        "en": "No digest is indexed yet; an admin can run /reindex.",
        "ko": "아직 색인된 다이제스트가 없습니다. 관리자가 /reindex를 실행할 수 있습니다.",
    },
    "bad_date": {
        "en": "`{value}` is not a date; use YYYY-MM-DD, e.g. 2024-05-30.",
        "ko": "`{value}`은(는) 날짜가 아닙니다. YYYY-MM-DD 형식으로 입력하세요 (예: 2024-05-30).",
    },
    "no_digest_before": {
        "en": "There is no digest on or before {day}.",
        "ko": "{day} 또는 그 이전의 다이제스트가 없습니다.",
    },
    "nothing_visible": {
        "en": "There is nothing to search for once invisible characters are removed.",
        "ko": "보이지 않는 문자를 빼면 검색할 내용이 없습니다.",
    },
    "since_after_until": {
        "en": "`since` ({since}) is after `until` ({until}).",
        "ko": "`since`({since})가 `until`({until})보다 늦습니다.",
    },
    "unknown_paper": {
        "en": "No paper with arXiv id `{value}` is in the digests.",
        "ko": "arXiv ID `{value}`인 논문이 다이제스트에 없습니다.",
    },
    "bad_time": {
        "en": "`{value}` is not a time; use HH:MM, e.g. 07:00.",
        "ko": "`{value}`은(는) 시각이 아닙니다. HH:MM 형식으로 입력하세요 (예: 07:00).",
    },
    "bad_timezone": {
        "en": "`{value}` is not a known time zone; try Asia/Seoul or UTC.",
        "ko": "`{value}`은(는) 알 수 없는 시간대입니다. Asia/Seoul 또는 UTC를 써 보세요.",
    },
    "bad_value": {"en": "That value is not valid here.", "ko": "이 값은 사용할 수 없습니다."},
    "need_manage_guild": {
        "en": "You need the Manage Server permission for this command.",
        "ko": "이 명령에는 서버 관리 권한이 필요합니다.",
    },
    "guild_only": {
        "en": "This command works only in a server.",
        "ko": "이 명령은 서버에서만 쓸 수 있습니다.",
    },
    "not_allowed": {
        "en": "You can't use this command here.",
        "ko": "여기서는 이 명령을 쓸 수 없습니다.",
    },
    "bot_missing": {
        "en": "I am missing permissions here: {perms}.",
        "ko": "봇에 이 권한이 없습니다: {perms}.",
    },
    "index_refused": {
        "en": "The index was left as it was: {reason}",
        "ko": "색인은 그대로 두었습니다: {reason}",
    },
    "index_unavailable": {
        "en": "The index cannot be used right now: {reason}",
        "ko": "지금은 색인을 쓸 수 없습니다: {reason}",
    },
    "apology": {
        "en": "Sorry, something went wrong on my side. It has been logged.",
        "ko": "죄송합니다. 봇에서 오류가 발생했습니다. 기록해 두었습니다.",
    },
    "failed_public": {
        "en": "This command could not finish.",
        "ko": "이 명령을 마치지 못했습니다.",
    },
    "cooldown": {
        "en": "You're going a bit fast: try again in {seconds} s.",
        "ko": "요청이 조금 빠릅니다. {seconds}초 뒤에 다시 시도하세요.",
    },
    # /digest
    "digest_set": {
        "en": "Daily digest: {channel} at {time} ({tz}), in {lang_name}. The next post is at {next}.",
        "ko": "데일리 다이제스트: {channel}, {time} ({tz}), {lang_name}. 다음 게시: {next}.",
    },
    "digest_off": {"en": "Daily digest posts are off.", "ko": "데일리 다이제스트 게시를 껐습니다."},
    "digest_was_off": {
        "en": "Daily digest posts were not on.",
        "ko": "데일리 다이제스트 게시가 켜져 있지 않았습니다.",
    },
    "digest_not_set": {
        "en": "No digest channel is set; use /digest set first.",
        "ko": "다이제스트 채널이 없습니다. 먼저 /digest set을 쓰세요.",
    },
    "digest_posted": {
        "en": "Posted the digest of {day} in {channel}.",
        "ko": "{day} 다이제스트를 {channel}에 게시했습니다.",
    },
    "digest_already": {
        "en": "The digest of {day} was already posted in this server.",
        "ko": "{day} 다이제스트는 이 서버에 이미 게시되었습니다.",
    },
    "digest_failed": {
        "en": "Posting the digest of {day} failed ({error}); it will be retried {when}.",
        "ko": "{day} 다이제스트 게시에 실패했습니다 ({error}). {when} 다시 시도합니다.",
    },
    "digest_gone": {
        "en": "I can't post in {channel}: {reason}. Daily posts are now off; fix it and run /digest set again.",
        "ko": "{channel}에 게시할 수 없습니다: {reason}. 데일리 게시를 껐습니다. 문제를 고친 뒤 /digest set을 다시 쓰세요.",
    },
    "lang_ko": {"en": "Korean", "ko": "한국어"},
    "lang_en": {"en": "English", "ko": "영어"},
    # /digest: the daily post (failures, catch-up, status)
    "digest_posted_many": {
        "en": "Posted the digests of {days} in {channel}, oldest first.",
        "ko": "{days} 다이제스트를 오래된 순서로 {channel}에 게시했습니다.",
    },
    "digest_busy": {
        "en": "A digest post is being sent in {channel} right now; nothing will be posted twice. /digest status shows when it is done.",
        "ko": "지금 {channel}에 다이제스트를 게시하는 중입니다. 같은 내용이 두 번 게시되지는 않습니다. 끝났는지는 /digest status로 확인하세요.",
    },
    "retry_at": {"en": "at {when}", "ko": "{when}에"},
    "digest_cannot_post": {
        "en": "I can't post the digest in {channel}: I am missing {perms} there. Give me these permissions in that channel, then run /digest set again.",
        "ko": "{channel}에 다이제스트를 게시할 수 없습니다. 그 채널에서 봇에 {perms} 권한이 없습니다. 권한을 준 뒤 /digest set을 다시 쓰세요.",
    },
    "bad_timezone_pick": {
        "en": "`{value}` is not a time zone; pick one from the list, e.g. Asia/Seoul, America/New_York or UTC.",
        "ko": "`{value}`은(는) 시간대가 아닙니다. 목록에서 고르세요 (예: Asia/Seoul, America/New_York, UTC).",
    },
    "digest_stopped_notice": {
        "en": "Daily digest posts in **{guild}** have stopped: I can't post in {channel}: {reason}. Fix it, then run /digest set there again; /digest status shows the details.",
        "ko": "**{guild}** 서버의 데일리 다이제스트 게시가 멈췄습니다. {channel}에 게시할 수 없습니다: {reason}. 문제를 고친 뒤 /digest set을 다시 쓰세요. 자세한 내용은 /digest status에 있습니다.",
    },
    "stop_deleted": {"en": "the channel was deleted", "ko": "채널이 삭제되었습니다"},
    "stop_removed": {
        "en": "the bot was removed from the server",
        "ko": "봇이 서버에서 제거되었습니다",
    },
    "stop_missing": {
        "en": "I am missing {perms} there",
        "ko": "그 채널에서 봇에 {perms} 권한이 없습니다",
    },
    "stop_refused": {
        "en": "Discord refused my messages there ({error})",
        "ko": "Discord가 그 채널에서 봇의 메시지를 거부했습니다 ({error})",
    },
    "perm_view_channel": {"en": "View Channel", "ko": "채널 보기"},
    "perm_send_messages": {"en": "Send Messages", "ko": "메시지 보내기"},
    "perm_embed_links": {"en": "Embed Links", "ko": "링크 첨부"},
    "perm_create_public_threads": {"en": "Create Public Threads", "ko": "공개 스레드 만들기"},
    "perm_send_messages_in_threads": {
        "en": "Send Messages in Threads",
        "ko": "스레드에서 메시지 보내기",
    },
    "perm_read_message_history": {"en": "Read Message History", "ko": "메시지 기록 보기"},
    "perm_attach_files": {"en": "Attach Files", "ko": "파일 첨부"},
    "catch_up_intro": {
        "en": "Catching up: {n} digests not posted yet, oldest first.",
        "ko": "아직 게시하지 않은 다이제스트 {n}개를 오래된 순서로 게시합니다.",
    },
    "catch_up_skipped": {
        "en": "{n} older one(s) were skipped; /today date:YYYY-MM-DD shows any date.",
        "ko": "그보다 오래된 {n}개는 건너뛰었습니다. /today date:YYYY-MM-DD로 어느 날짜든 볼 수 있습니다.",
    },
    "note_skipped": {
        "en": "After a pause, {n} older digest(s) were skipped ({first} – {last}): at most {cap} missed days are posted.",
        "ko": "중단 이후 오래된 다이제스트 {n}개({first} – {last})를 건너뛰었습니다. 밀린 날은 최대 {cap}일까지만 게시합니다.",
    },
    "note_abandoned": {
        "en": "Gave up on the digest of {day} after repeated errors.",
        "ko": "오류가 반복되어 {day} 다이제스트 게시를 포기했습니다.",
    },
    "status_on": {"en": "Daily digest: **on**", "ko": "데일리 다이제스트: **켜짐**"},
    "status_off": {"en": "Daily digest: **off**", "ko": "데일리 다이제스트: **꺼짐**"},
    "status_stopped": {
        "en": "Daily digest: **stopped**, {reason}. Fix it and run /digest set again.",
        "ko": "데일리 다이제스트: **멈춤**, {reason}. 문제를 고친 뒤 /digest set을 다시 쓰세요.",
    },
    "status_where": {
        "en": "Channel: {channel} at {time} ({tz}), in {lang_name}",
        "ko": "채널: {channel}, {time} ({tz}), {lang_name}",
    },
    "status_set_by": {"en": "Set by {user} on {when}", "ko": "설정: {user}, {when}"},
    "status_last": {"en": "Last post: {day} ({when})", "ko": "마지막 게시: {day} ({when})"},
    "status_never": {"en": "Last post: none yet", "ko": "마지막 게시: 아직 없음"},
    "status_next": {"en": "Next post: {when}", "ko": "다음 게시: {when}"},
    "status_retry": {
        "en": "Next try: {when} (try {tries} after an error)",
        "ko": "다음 시도: {when} (오류 뒤 {tries}번째 시도)",
    },
    "status_recheck": {
        "en": "Next look for a late digest: {when}",
        "ko": "늦게 올라오는 다이제스트 확인: {when}",
    },
    "status_error": {"en": "Last error ({when}): {error}", "ko": "마지막 오류 ({when}): {error}"},
    "status_note": {"en": "Note: {note}", "ko": "참고: {note}"},
    "status_unknown_user": {"en": "an admin", "ko": "관리자"},
    # /reindex
    "reindex_not_allowed": {
        "en": "/reindex rebuilds the index for every server, so only the bot's owner or the admins of its home server can run it.",
        "ko": "/reindex는 모든 서버의 색인을 다시 만들기 때문에 봇 소유자나 운영 서버의 관리자만 실행할 수 있습니다.",
    },
    "reindex_cooldown": {
        "en": "The index was rebuilt recently; the next /reindex is possible in {minutes} min.",
        "ko": "최근에 색인을 다시 만들었습니다. {minutes}분 뒤에 다시 /reindex를 쓸 수 있습니다.",
    },
    "source_busy": {
        "en": "The digest folder is being updated (pull or daily ingest); try /reindex again in a minute.",
        "ko": "다이제스트 폴더를 갱신하는 중입니다(pull 또는 일일 색인). 1분 뒤에 /reindex를 다시 시도하세요.",
    },
    "reindex_busy": {
        "en": "A reindex is already running; try again when it is done.",
        "ko": "이미 색인을 다시 만드는 중입니다. 끝난 뒤 다시 시도하세요.",
    },
    "reindex_start": {
        "en": "Rebuilding the index… the old index keeps answering meanwhile.",
        "ko": "색인을 다시 만드는 중… 그동안 기존 색인이 계속 답합니다.",
    },
    "reindex_progress": {
        "en": "Rebuilding the index: {done}/{total} papers embedded.",
        "ko": "색인 재구축 중: {done}/{total}편 임베딩.",
    },
    "reindex_done": {
        "en": "Index rebuilt: {papers} papers from {files} files ({skipped} entries skipped). Now answering from the new index.",
        "ko": "색인 재구축 완료: 파일 {files}개에서 논문 {papers}편 (건너뛴 항목 {skipped}개). 이제 새 색인으로 답합니다.",
    },
}
