"""The conversation for raising a complaint, in easy words.

Young people speaking for themselves get "you" wording; anyone speaking about a young person
gets the OTHER wording. Adding a question means adding a Step here and its translations.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.flows.model import Choice, Go, Journey, Kind, Step
from portal.flows.state import ComplaintState
from portal.types import Voice

SELF, OTHER = Voice.SELF, Voice.OTHER
LONG_TEXT_LIMIT = 5000
SHORT_TEXT_LIMIT = 200

WHO = Step(
    id="who",
    kind=Kind.SINGLE,
    prompt=_l("Who are you?"),
    hint=_l("Pick the one that fits you best."),
    summary=_l("Who you are"),
    choices=(
        Choice("self", _l("I am a young person. This is about me."), icon="person"),
        Choice(
            "helping",
            _l("I am helping a young person"),
            hint=_l("For example, I am their advocate, friend, brother or sister."),
            icon="helper",
        ),
        Choice("parent_carer", _l("I am a parent or carer"), icon="family"),
        Choice(
            "someone_else",
            _l("Someone else"),
            hint=_l("For example, a grandparent, teacher or nurse."),
            icon="other",
        ),
    ),
    errors={"required": _l("Pick who you are.")},
)

AGE = Step(
    id="age",
    kind=Kind.SINGLE,
    prompt={SELF: _l("How old are you?"), OTHER: _l("How old is the young person?")},
    hint=_l("You do not need to give a birthday."),
    why=_l("This helps us find the right team."),
    summary={SELF: _l("Your age"), OTHER: _l("Their age")},
    choices=(
        Choice("under_12", _l("Under 12")),
        Choice("12_15", _l("12 to 15")),
        Choice("16_17", _l("16 or 17")),
        Choice("18_25", {SELF: _l("18 to 25 (I have left care)"), OTHER: _l("18 to 25")}),
    ),
    errors={"required": _l("Pick an age group.")},
)

TOPICS = Step(
    id="topics",
    kind=Kind.MULTI,
    prompt=_l("What is it about?"),
    hint=_l("Pick all that fit."),
    summary=_l("What it is about"),
    choices=(
        Choice(
            "social_worker",
            {SELF: _l("My social worker"), OTHER: _l("Their social worker")},
            icon="social_worker",
        ),
        Choice("home", {SELF: _l("Where I live"), OTHER: _l("Where they live")}, icon="home"),
        Choice(
            "family",
            {SELF: _l("Seeing my family"), OTHER: _l("Seeing their family")},
            icon="family",
        ),
        Choice("leaving_care", _l("Help after leaving care"), icon="key"),
        Choice("money", _l("Money"), icon="money"),
        Choice(
            "decision",
            {SELF: _l("A decision about me"), OTHER: _l("A decision about them")},
            icon="decision",
        ),
        Choice(
            "treated",
            {SELF: _l("How I was treated"), OTHER: _l("How they were treated")},
            icon="treated",
        ),
        Choice("other", _l("Something else"), icon="other"),
    ),
    errors={"required": _l("Pick at least one thing.")},
)

TOPIC_OTHER = Step(
    id="topic_other",
    kind=Kind.SHORT_TEXT,
    prompt=_l("What else is it about?"),
    hint=_l("A few words is fine."),
    examples=(_l("For example: my school taxi, or my phone."),),
    summary=_l("Something else"),
    max_length=SHORT_TEXT_LIMIT,
    errors={"required": _l("Write a few words about what it is.")},
    show_if=lambda state: state.has_other_topic,
)

WHAT_HAPPENED = Step(
    id="what_happened",
    kind=Kind.LONG_TEXT,
    prompt=_l("What happened?"),
    hint=_l("Tell us in your own words. Short is fine."),
    examples=(
        {
            SELF: _l("My social worker cancelled my visit three times."),
            OTHER: _l("Their social worker cancelled visits three times."),
        },
        {
            SELF: _l("Nobody asked me before they made a decision."),
            OTHER: _l("Nobody asked them before making a decision."),
        },
    ),
    summary=_l("What happened"),
    max_length=LONG_TEXT_LIMIT,
    errors={"required": _l("Tell us what happened. A few words is fine.")},
)

WHEN = Step(
    id="when",
    kind=Kind.SINGLE,
    prompt=_l("When did it happen?"),
    hint=_l("A rough idea is fine."),
    summary=_l("When"),
    choices=(
        Choice("this_month", _l("This month")),
        Choice("this_year", _l("In the last year")),
        Choice("over_a_year", _l("More than a year ago")),
        Choice("not_sure", _l("I am not sure")),
    ),
    errors={"required": _l("Pick when it happened. 'I am not sure' is fine.")},
)

OUTCOME = Step(
    id="outcome",
    kind=Kind.MULTI,
    prompt=_l("What would make it better?"),
    hint=_l("Pick all that fit."),
    summary=_l("What would make it better"),
    choices=(
        Choice("sorry", _l("Someone says sorry")),
        Choice("explain", _l("Someone explains why")),
        Choice("change", _l("Something changes")),
        Choice("look_again", _l("A decision is looked at again")),
        Choice("meet", _l("A meeting to talk about it")),
        Choice("not_sure", _l("I am not sure yet")),
    ),
    errors={"required": _l("Pick at least one. 'I am not sure yet' is fine.")},
)

OUTCOME_WORDS = Step(
    id="outcome_words",
    kind=Kind.LONG_TEXT,
    prompt=_l("Anything else you want to happen?"),
    hint=_l("Use your own words. You can skip this."),
    examples=(_l("For example: I want to see my brother every week."),),
    summary=_l("In your own words"),
    required=False,
    max_length=LONG_TEXT_LIMIT,
)

ADVOCATE = Step(
    id="advocate",
    kind=Kind.SINGLE,
    prompt={
        SELF: _l("Would you like an advocate?"),
        OTHER: _l("Would the young person like an advocate?"),
    },
    hint=_l("An advocate is a person on your side who helps you say what you want. It is free."),
    summary=_l("Advocate"),
    choices=(
        Choice("yes", _l("Yes, please")),
        Choice("no", _l("No, thank you")),
        Choice("more", _l("Tell me more"), next="advocate_more", is_an_answer=False),
    ),
    errors={"required": _l("Pick yes, no or tell me more.")},
    next="contact",
)

ADVOCATE_MORE = Step(
    id="advocate_more",
    kind=Kind.SINGLE,
    prompt=_l("What does an advocate do?"),
    hint=_l(
        "An advocate listens to you. They help you say what you think. They can come to "
        "meetings with you. They do not work for social care. It is free, and it is up to you."
    ),
    summary=_l("Advocate"),
    choices=(
        Choice("yes", _l("Yes, I would like an advocate")),
        Choice("no", _l("No, thank you")),
    ),
    errors={"required": _l("Pick yes or no.")},
    next="contact",
)

CONTACT = Step(
    id="contact",
    kind=Kind.SINGLE,
    prompt=_l("How should we get in touch?"),
    why=_l("We only use this to talk about what you sent."),
    summary=_l("How we get in touch"),
    choices=(
        Choice("email", _l("Email"), icon="email"),
        Choice("text", _l("Text message"), icon="phone"),
        Choice(
            "advocate",
            {SELF: _l("Through my advocate"), OTHER: _l("Through the young person's advocate")},
            icon="helper",
        ),
        Choice(
            "social_worker",
            {SELF: _l("Through my social worker"), OTHER: _l("Through their social worker")},
            icon="social_worker",
        ),
        Choice("link_only", _l("No messages. I will use my private link."), icon="key"),
    ),
    errors={"required": _l("Pick how we should get in touch.")},
)

EMAIL = Step(
    id="email",
    kind=Kind.SHORT_TEXT,
    prompt=_l("What is your email address?"),
    why=_l("We only use it to tell you about what you sent."),
    examples=(_l("For example: name@example.com"),),
    summary=_l("Email"),
    max_length=254,
    check="email",
    errors={
        "required": _l("Write your email address."),
        "format": _l("Write an email address like name@example.com."),
    },
    show_if=lambda state: state.contact_method == "email",
)

PHONE = Step(
    id="phone",
    kind=Kind.SHORT_TEXT,
    prompt=_l("What is your mobile number?"),
    why=_l("We only use it to text you about what you sent."),
    examples=(_l("For example: 07700 900123"),),
    summary=_l("Mobile number"),
    max_length=20,
    check="uk_mobile",
    errors={
        "required": _l("Write your mobile number."),
        "format": _l("Write a UK mobile number like 07700 900123."),
    },
    show_if=lambda state: state.contact_method == "text",
)

NAME = Step(
    id="name",
    kind=Kind.SHORT_TEXT,
    prompt=_l("What should we call you?"),
    hint=_l("Your first name or a nickname is fine. You can skip this."),
    summary=_l("Your name"),
    required=False,
    max_length=100,
)

RECORDS = Step(
    id="records",
    kind=Kind.LONG_TEXT,
    prompt={
        SELF: _l("Anything that helps us find your records?"),
        OTHER: _l("Anything that helps us find the young person's records?"),
    },
    hint=_l("You can skip this."),
    examples=(_l("For example: a full name, a date of birth, or a social worker's name."),),
    why=_l("It helps the right person find the right file quickly."),
    summary=_l("To help find records"),
    required=False,
    max_length=500,
    next=Go.END,
)

COMPLAINT = Journey(
    id="complaint",
    steps=(
        WHO,
        AGE,
        TOPICS,
        TOPIC_OTHER,
        WHAT_HAPPENED,
        WHEN,
        OUTCOME,
        OUTCOME_WORDS,
        ADVOCATE,
        ADVOCATE_MORE,
        CONTACT,
        EMAIL,
        PHONE,
        NAME,
        RECORDS,
    ),
    state=ComplaintState,
)
