"""Texts of BibTeX (/saved-export, the Cite button) and paper threads (the Discuss button, /ask
and mentions inside one), in English and Korean."""

from __future__ import annotations

COMMAND_TEXT_KO: dict[str, str] = {
    "Your saved papers as a BibTeX file (only you see it)": "저장한 논문을 BibTeX 파일로 받습니다 (나만 보임)",
}

MESSAGES: dict[str, dict[str, str]] = {
    # BibTeX
    "cite_button": {"en": "Cite", "ko": "인용"},
    "cite_pick": {"en": "Cite a paper (BibTeX)…", "ko": "인용할 논문 선택 (BibTeX)…"},
    "cite_entry": {"en": "BibTeX for **{title}**:", "ko": "**{title}**의 BibTeX:"},
    "paper_gone": {
        "en": "This paper (`{arxiv_id}`) is no longer in the digests.",
        "ko": "이 논문(`{arxiv_id}`)은 이제 다이제스트에 없습니다.",
    },
    "export_none": {
        "en": "You have no saved papers to export; press Save under a paper card first.",
        "ko": "내보낼 저장한 논문이 없습니다. 먼저 논문 카드의 저장 버튼을 누르세요.",
    },
    "export_done": {
        "en": "Your saved papers ({n}) as BibTeX: `saved-papers.bib`.",
        "ko": "저장한 논문 {n}편의 BibTeX입니다 (`saved-papers.bib`).",
    },
    "export_split": {
        "en": "Your saved papers ({n}) as BibTeX, in {files} files (each under Discord's upload limit); files {first}-{last} here.",
        "ko": "저장한 논문 {n}편의 BibTeX를 {files}개 파일로 나눴습니다 (Discord 업로드 한도 때문). 여기에는 {first}-{last}번 파일입니다.",
    },
    # paper threads
    "discuss_button": {"en": "Discuss", "ko": "토론"},
    "discuss_pick": {"en": "Discuss a paper in a thread…", "ko": "스레드에서 토론할 논문 선택…"},
    "discuss_opened": {
        "en": "Opened a thread for **{title}**: {thread}",
        "ko": "**{title}** 토론 스레드를 열었습니다: {thread}",
    },
    "discuss_exists": {
        "en": "**{title}** already has a thread here: {thread}",
        "ko": "**{title}** 토론 스레드가 이미 있습니다: {thread}",
    },
    "discuss_where": {
        "en": "Paper threads can be opened only in a server's text channel.",
        "ko": "논문 토론 스레드는 서버의 텍스트 채널에서만 열 수 있습니다.",
    },
    "discuss_missing": {
        "en": "I can't open a thread here: I am missing {perms} in this channel.",
        "ko": "여기에 스레드를 열 수 없습니다. 이 채널에서 봇에 {perms} 권한이 없습니다.",
    },
    "discuss_intro": {
        "en": "Discussion of this paper, opened from [this card]({url}). Ask with `/ask` here, or mention me with a question: I answer from this paper first, then from related papers.",
        "ko": "이 논문의 토론 스레드입니다. [이 카드]({url})에서 열었습니다. 여기서 `/ask`를 쓰거나 질문과 함께 봇을 멘션하세요. 이 논문에서 먼저 답하고, 이어서 관련 논문을 보여 드립니다.",
    },
    "discuss_related": {"en": "Related papers", "ko": "관련 논문"},
    "discuss_back": {"en": "↩ [Back to the card]({url})", "ko": "↩ [카드로 돌아가기]({url})"},
    "discuss_ask_empty": {
        "en": "Mention me with a question about this paper, or use `/ask`.",
        "ko": "이 논문에 대한 질문과 함께 봇을 멘션하거나 `/ask`를 쓰세요.",
    },
}
