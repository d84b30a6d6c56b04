"""Texts of written answers (/ask's answer, follow-up threads, /followup, /summarize, their
cost controls), in English and Korean."""

from __future__ import annotations

COMMAND_TEXT_KO: dict[str, str] = {
    "Summarize one paper in a language of your choice": "논문 한 편을 원하는 언어로 요약합니다",
    "Language of the summary (default: yours)": "요약 언어 (기본값: 사용자 언어)",
    "Japanese": "일본어",
    "Chinese": "중국어",
    "German": "독일어",
    "French": "프랑스어",
    "Spanish": "스페인어",
    "Ask a follow-up question in this answer thread": "이 답변 스레드에서 이어서 질문합니다",
    "Your follow-up question": "이어서 할 질문",
}

MESSAGES: dict[str, dict[str, str]] = {
    "answer_title": {"en": "Answer", "ko": "답변"},
    "answer_writing": {
        "en": "✍️ Writing an answer from the papers below…",
        "ko": "✍️ 아래 논문으로 답변을 작성하는 중…",
    },
    "answer_footer": {
        "en": "Written by {model} only from the matching summary lines of the cards "
        "[1]–[{n}]; it can be wrong, so check the cards.",
        "ko": "{model}이(가) 카드 [1]–[{n}]의 질문과 맞는 요약만으로 작성했습니다. 틀릴 수 "
        "있으니 카드를 확인하세요.",
    },
    "answer_not_covered": {
        "en": "The digests don't cover this, so no answer was written.",
        "ko": "다이제스트가 이 질문을 다루지 않아 답변을 작성하지 않았습니다.",
    },
    "answer_timeout": {
        "en": "_No written answer this time: the answer service did not reply in time._",
        "ko": "_이번에는 답변을 작성하지 못했습니다: 답변 서비스가 제때 응답하지 않았습니다._",
    },
    "answer_failed": {
        "en": "_No written answer this time: the answer service failed._",
        "ko": "_이번에는 답변을 작성하지 못했습니다: 답변 서비스에 문제가 있습니다._",
    },
    "answer_user_rate": {
        "en": "_No written answer: you have asked for {n} in the last hour, the most allowed._",
        "ko": "_답변 없음: 최근 1시간 동안 허용된 최대 {n}개의 답변을 이미 요청했습니다._",
    },
    "answer_server_rate": {
        "en": "_No written answer: this server has asked for {n} in the last hour, the most "
        "allowed._",
        "ko": "_답변 없음: 이 서버가 최근 1시간 동안 허용된 최대 {n}개의 답변을 이미 요청했습니다._",
    },
    "answer_budget": {
        "en": "_No written answer: today's answer budget here is used up (it renews at "
        "midnight, {timezone})._",
        "ko": "_답변 없음: 오늘의 답변 예산을 모두 사용했습니다 (자정에 갱신, {timezone})._",
    },
    "follow_up": {"en": "Follow up", "ko": "이어서 질문"},
    "follow_up_modal": {"en": "Follow-up question", "ko": "이어서 질문하기"},
    "follow_up_label": {"en": "Your question", "ko": "질문"},
    "follow_up_placeholder": {
        "en": "e.g. Which of these needs the least training data?",
        "ko": "예: 이 중 학습 데이터가 가장 적게 드는 방법은?",
    },
    "follow_up_posted": {
        "en": "Answering in {thread}. Ask more there with the Follow up button or `/followup`.",
        "ko": "{thread}에서 답변합니다. 그곳에서 이어서 질문 버튼이나 `/followup`으로 더 물어보세요.",
    },
    "follow_up_where": {
        "en": "Use `/followup` inside an answer thread: press **Follow up** under an `/ask` "
        "answer to start one.",
        "ko": "`/followup`은 답변 스레드 안에서 사용하세요: `/ask` 답변 아래의 **이어서 질문** "
        "버튼을 누르면 스레드가 시작됩니다.",
    },
    "follow_up_no_thread": {
        "en": "I can't start a thread here: I need Create Public Threads and Send Messages in "
        "Threads in this channel.",
        "ko": "여기에 스레드를 만들 수 없습니다: 이 채널에서 공개 스레드 만들기와 스레드에서 "
        "메시지 보내기 권한이 필요합니다.",
    },
    "summary_footer": {
        "en": "Summary in {language} written by {model} from the digest's Korean summary; it "
        "can be wrong.",
        "ko": "{model}이(가) 다이제스트의 한국어 요약으로 작성한 {language} 요약입니다. 틀릴 수 "
        "있습니다.",
    },
    "summary_fallback": {
        "en": "_No written summary this time; here is the digest's own summary._",
        "ko": "_이번에는 요약을 작성하지 못했습니다. 다이제스트의 요약을 보여줍니다._",
    },
    "stats_answers": {"en": "Written answers today (this server)", "ko": "오늘의 답변 (이 서버)"},
    "stats_answers_value": {
        "en": "{answers} answers · {tokens:,} of {budget} tokens",
        "ko": "답변 {answers}개 · 토큰 {tokens:,} / {budget}",
    },
    "stats_no_limit": {"en": "unlimited", "ko": "무제한"},
}
