"""Ticket titles and descriptions with the length and word mix of real support requests."""

import random

PRODUCTS = [
    "VPN",
    "laptop",
    "printer",
    "email",
    "Outlook",
    "Teams",
    "Slack",
    "Wi-Fi",
    "monitor",
    "docking station",
    "SSO login",
    "password reset",
    "Jira",
    "GitHub",
    "CRM",
    "payroll app",
    "expense report",
    "calendar",
    "phone",
    "headset",
    "keyboard",
    "shared drive",
    "backup",
    "database",
    "staging server",
    "build pipeline",
    "invoice export",
    "mobile app",
    "website",
    "badge reader",
    "projector",
    "conference room",
    "license",
    "antivirus",
    "firewall",
]
PROBLEMS = [
    "is not working",
    "keeps disconnecting",
    "is very slow",
    "shows an error",
    "will not start",
    "crashes on launch",
    "cannot be reached",
    "rejects my password",
    "is missing",
    "needs access",
    "stopped syncing",
    "freezes after update",
    "returns 500",
    "times out",
    "is out of toner",
    "has a broken screen",
    "needs replacing",
    "is locked",
    "cannot print",
    "lost all settings",
]
CONTEXTS = [
    "since this morning",
    "after the latest update",
    "for the whole team",
    "on the third floor",
    "when working from home",
    "for new hires",
    "in the Berlin office",
    "since Monday",
    "during client calls",
    "on every second attempt",
    "for the finance department",
    "",
]
WORDS = (
    "the a an and or but because when after before while since until if then again still "
    "error message screen window button page login account access permission network "
    "connection server client device update install restart reboot cache browser chrome "
    "firefox safari windows macos linux driver battery cable port adapter charger setting "
    "profile folder file document spreadsheet attachment upload download sync share link "
    "meeting call video audio microphone camera speaker ticket request issue problem help "
    "urgent deadline customer invoice report dashboard export import data record field "
    "tried cleared reinstalled checked restarted called emailed noticed happens appears "
    "shows fails works stops starts loads opens closes freezes crashes hangs disconnects "
    "today yesterday morning afternoon evening week every sometimes always never usually "
    "colleague manager team office desk floor building room laptop phone printer monitor "
    "please could you check fix reset enable disable grant remove replace order confirm"
).split()


def make_title(rng: random.Random) -> str:
    title = f"{rng.choice(PRODUCTS)} {rng.choice(PROBLEMS)} {rng.choice(CONTEXTS)}".strip()
    return title[0].upper() + title[1:]


def make_sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(6, 18))
    return " ".join(words).capitalize() + "."


def make_paragraph_pool(rng: random.Random, size: int) -> list[str]:
    """Build `size` paragraphs of 2 to 6 sentences (roughly 100 to 600 characters each)."""
    return [" ".join(make_sentence(rng) for _ in range(rng.randint(2, 6))) for _ in range(size)]


def make_description(rng: random.Random, pool: list[str]) -> str:
    # One to three paragraphs: about 80% of descriptions are between 150 and 1,200
    # characters, with a long tail, as in a help desk's free-text field.
    count = rng.choices((1, 2, 3), weights=(5, 3, 2))[0]
    return "\n\n".join(rng.choice(pool) for _ in range(count))
