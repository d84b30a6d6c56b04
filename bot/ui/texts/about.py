"""Texts of /help and /stats, and the freshness note of /today, in English and Korean."""

from __future__ import annotations

COMMAND_TEXT_KO: dict[str, str] = {
    "What this bot can do, with an example for each command": "이 봇의 명령어와 명령어별 사용 예",
    "How much the bot knows and how fresh it is": "봇이 색인한 논문 수와 데이터가 얼마나 최신인지",
}

# One example per command (its qualified name as Discord shows it), in each language.
EXAMPLES: dict[str, dict[str, str]] = {
    "today": {"en": "/today date:2025-05-09", "ko": "/today date:2025-05-09"},
    "top": {"en": "/top period:week count:5", "ko": "/top period:1주 count:5"},
    "ask": {
        "en": "/ask question:how do models reduce hallucination in vision-language models?",
        "ko": "/ask question:멀티모달 모델의 환각을 줄이는 방법",
    },
    "paper": {"en": "/paper arxiv_id:2405.19327", "ko": "/paper arxiv_id:2405.19327"},
    "similar": {"en": "/similar arxiv_id:2405.19327", "ko": "/similar arxiv_id:2405.19327"},
    "subscribe": {"en": "/subscribe topic:video generation", "ko": "/subscribe topic:비디오 생성"},
    "subscriptions": {"en": "/subscriptions", "ko": "/subscriptions"},
    "saved": {"en": "/saved", "ko": "/saved"},
    "saved-export": {"en": "/saved-export", "ko": "/saved-export"},
    "trend": {"en": "/trend topic:diffusion period:year", "ko": "/trend topic:강화학습 period:1년"},
    "Find papers": {
        "en": "right-click a message → Apps → Find papers",
        "ko": "메시지 우클릭 → 앱 → Find papers",
    },
    "summarize": {
        "en": "/summarize arxiv_id:2405.19327 language:English",
        "ko": "/summarize arxiv_id:2405.19327 language:한국어",
    },
    "followup": {
        "en": "/followup question:which of these is cheapest to train? (in an answer thread)",
        "ko": "/followup question:이 중 학습 비용이 가장 적은 것은? (답변 스레드에서)",
    },
    "help": {"en": "/help", "ko": "/help"},
    "stats": {"en": "/stats", "ko": "/stats"},
    "digest set": {
        "en": "/digest set channel:#papers time:07:00 timezone:Asia/Seoul",
        "ko": "/digest set channel:#papers time:07:00 timezone:Asia/Seoul",
    },
    "digest off": {"en": "/digest off", "ko": "/digest off"},
    "digest now": {"en": "/digest now", "ko": "/digest now"},
    "digest status": {"en": "/digest status", "ko": "/digest status"},
    "digest weekly on": {"en": "/digest weekly on", "ko": "/digest weekly on"},
    "digest weekly off": {"en": "/digest weekly off", "ko": "/digest weekly off"},
    "reindex": {"en": "/reindex", "ko": "/reindex"},
}

MESSAGES: dict[str, dict[str, str]] = {
    "help_title": {"en": "Daily Papers bot — commands", "ko": "Daily Papers 봇 — 명령어"},
    "help_intro": {
        "en": "Hugging Face Daily Papers with Korean summaries: browse the daily digest, "
        "search every paper since {first}, and get new papers on your topics by DM.",
        "ko": "Hugging Face Daily Papers와 한국어 요약: 데일리 다이제스트를 보고, {first} 이후의 "
        "모든 논문을 검색하고, 관심 주제의 새 논문을 DM으로 받으세요.",
    },
    "help_members": {"en": "For everyone", "ko": "모든 멤버"},
    "help_admins": {"en": "For admins (Manage Server)", "ko": "관리자용 (서버 관리 권한)"},
    "help_example": {"en": "e.g. `{example}`", "ko": "예: `{example}`"},
    "stats_title": {"en": "About this bot", "ko": "봇 정보"},
    "stats_papers": {"en": "Papers indexed", "ko": "색인된 논문"},
    "stats_dates": {"en": "Digests", "ko": "다이제스트"},
    "stats_dates_value": {
        "en": "{days} days, {first} → {latest}",
        "ko": "{days}일, {first} → {latest}",
    },
    "stats_ingest": {"en": "Last ingest", "ko": "마지막 색인 갱신"},
    "stats_next": {"en": "Next daily post here", "ko": "이 서버의 다음 데일리 게시"},
    "stats_no_post": {
        "en": "not set up (`/digest set`)",
        "ko": "설정되지 않음 (`/digest set`)",
    },
    "stats_version": {"en": "Version", "ko": "버전"},
    "stats_never": {"en": "not since this start", "ko": "이번 시작 이후 없음"},
    "archive_stale": {
        "en": "⚠️ The archive has not moved: its newest digest is {day} ({days} days ago). "
        "New papers appear here once it is updated.",
        "ko": "⚠️ 아카이브가 갱신되지 않고 있습니다: 가장 최근 다이제스트는 {day} ({days}일 전)입니다. "
        "아카이브가 갱신되면 새 논문이 나타납니다.",
    },
}
