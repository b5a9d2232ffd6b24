"""The conversation for raising a complaint, in easy words.

Young people speaking for themselves get "you" wording; anyone speaking about a young person
gets the OTHER wording. Adding a question means adding a Step here and its translations.
"""

from __future__ import annotations

from portal.flows.model import Choice, Go, Journey, Kind, Step
from portal.flows.state import ComplaintState
from portal.translatable import _l
from portal.types import Role, Voice

SELF, HELPER, OTHER = Voice.SELF, Voice.HELPER, Voice.OTHER
ADULTS = ("parent_carer", "someone_else", "advocate")
LONG_TEXT_LIMIT = 5000
SHORT_TEXT_LIMIT = 200


def about_a_young_person(state: ComplaintState) -> bool:
    """Offered when there is a young person this is about (not a carer's own complaint)."""
    return state.has_a_young_person


WHO = Step(
    id="who",
    kind=Kind.SINGLE,
    prompt=_l("Who are you?"),
    hint=_l("Pick the one that fits you best."),
    summary=_l("Who you are"),
    choices=(
        Choice("self", _l("I am a young person. This is about me."), icon="person"),
        Choice(
            "young_helper",
            _l("I am a young person. It is about my brother, sister or friend."),
            icon="helper",
        ),
        Choice("advocate", _l("I am an advocate for a young person"), icon="helper"),
        Choice(
            "parent_carer",
            _l("I am a parent or carer"),
            hint=_l("For example, a parent, foster carer, special guardian or adopter."),
            icon="family",
        ),
        Choice(
            "someone_else",
            _l("Someone else"),
            hint=_l("For example, a grandparent, family friend, teacher or nurse."),
            icon="other",
        ),
    ),
    errors={"required": _l("Pick who you are.")},
)

SELF_STATUS = Step(
    id="self_status",
    kind=Kind.SINGLE,
    prompt=_l("Which of these fits you?"),
    hint=_l("This helps us know the right rules. 'I am not sure' is fine."),
    summary=_l("About you"),
    choices=(
        Choice(
            "looked_after",
            _l("I am in care"),
            hint=_l("For example, in foster care or a children's home."),
            icon="home",
        ),
        Choice("child_in_need", _l("A social worker helps me or my family"), icon="social_worker"),
        Choice("care_leaver", _l("I have left care"), icon="key"),
        Choice("special_guardianship", _l("I live with my special guardian"), icon="family"),
        Choice("adoption", _l("I am adopted, or I might be adopted"), icon="family"),
        Choice("not_sure", _l("I am not sure"), icon="unsure"),
    ),
    errors={"required": _l("Pick the one that fits you. 'I am not sure' is fine.")},
    show_if=lambda state: state.who == "self",
)

ADULT_ROLE = Step(
    id="adult_role",
    kind=Kind.SINGLE,
    prompt=_l("Which of these are you?"),
    summary=_l("You are"),
    choices=(
        Choice("parent", _l("A parent, or someone with parental responsibility")),
        Choice("foster_carer", _l("A foster carer"), hint=_l("For the council or for an agency.")),
        Choice("special_guardian", _l("A special guardian")),
        Choice("sgo_parent", _l("A parent of a child who lives with a special guardian")),
        Choice("adopter", _l("An adopter, or someone who wants to adopt")),
        Choice("birth_parent", _l("A birth parent of a child who was adopted")),
    ),
    errors={"required": _l("Pick the one that fits you.")},
    show_if=lambda state: state.who == "parent_carer",
)

COMPLAINT_FOR = Step(
    id="complaint_for",
    kind=Kind.SINGLE,
    prompt=_l("Is this about a child you look after, or about you?"),
    hint=_l("If it is about both, pick the child."),
    summary=_l("It is about"),
    choices=(
        Choice(
            "child",
            _l("A child I look after"),
            hint=_l("For example, their plans, their social worker or seeing their family."),
            icon="family",
        ),
        Choice(
            "myself",
            _l("Me, as a carer"),
            hint=_l("For example, the help, training or money the council gives me."),
            icon="person",
        ),
        Choice(
            "no_child_yet",
            _l("Me. I want to adopt, and no child lives with me yet."),
            icon="person",
            show_if=lambda state: state.role == Role.ADOPTER,
        ),
    ),
    errors={"required": _l("Pick the one that fits.")},
    show_if=lambda state: state.is_carer,
)

OTHER_ROLE = Step(
    id="other_role",
    kind=Kind.SINGLE,
    prompt=_l("Which of these are you?"),
    summary=_l("You are"),
    choices=(
        Choice("relative", _l("A grandparent, another relative or a family friend")),
        Choice(
            "professional",
            _l("A professional"),
            hint=_l("For example, a teacher, a nurse, or a worker from another council."),
        ),
        Choice("adopted_adult", _l("An adult who was adopted")),
        Choice("other", _l("Someone else")),
    ),
    errors={"required": _l("Pick the one that fits you.")},
    show_if=lambda state: state.who == "someone_else",
)

ADVOCATE_NAME = Step(
    id="advocate_name",
    kind=Kind.SHORT_TEXT,
    about_the_writer=True,
    prompt=_l("What is your name?"),
    examples=(_l("For example: Sam Jones"),),
    why=_l("The council needs to know who is speaking for the young person."),
    summary=_l("Advocate's name"),
    max_length=100,
    errors={"required": _l("Write your name.")},
    show_if=lambda state: state.is_advocate,
)

ADVOCATE_ORGANISATION = Step(
    id="advocate_organisation",
    kind=Kind.SHORT_TEXT,
    about_the_writer=True,
    prompt=_l("Which organisation do you work for?"),
    examples=(_l("For example: the local advocacy service, or an independent visitor scheme."),),
    summary=_l("Organisation"),
    max_length=150,
    errors={"required": _l("Write the name of your organisation.")},
    show_if=lambda state: state.is_advocate,
)

ADVOCATE_EMAIL = Step(
    id="advocate_email",
    kind=Kind.SHORT_TEXT,
    about_the_writer=True,
    prompt=_l("What is your work email address?"),
    why=_l("The council will use it to keep you up to date."),
    examples=(_l("For example: name@example.org"),),
    summary=_l("Advocate's email"),
    max_length=254,
    check="email",
    autocomplete="work email",
    errors={
        "required": _l("Write your work email address."),
        "format": _l("Write an email address like name@example.org."),
    },
    show_if=lambda state: state.is_advocate,
)

ADVOCATE_PHONE = Step(
    id="advocate_phone",
    kind=Kind.SHORT_TEXT,
    about_the_writer=True,
    prompt=_l("What is your work phone number?"),
    hint=_l("You can skip this."),
    examples=(_l("For example: 0300 123 4567"),),
    summary=_l("Advocate's phone"),
    required=False,
    max_length=20,
    check="uk_phone",
    autocomplete="work tel",
    errors={"format": _l("Write a UK phone number like 0300 123 4567.")},
    show_if=lambda state: state.is_advocate,
)

# Anyone speaking for a young person is asked who the young person is, so the council can
# find the right file. It is the first box where they write about the young person, so the
# privacy warning shows here, not on the writer's own details.
CHILD_NAME = Step(
    id="child_name",
    kind=Kind.SHORT_TEXT,
    prompt={
        HELPER: _l("What is your brother, sister or friend's first name?"),
        OTHER: _l("What is the young person's first name?"),
    },
    hint=_l("Their initials are fine too. You can skip this."),
    examples=(_l("For example: Jess, or J.T."),),
    why=_l("It helps the council find the right young person quickly."),
    summary=_l("The young person's name"),
    required=False,
    max_length=100,
    show_if=lambda state: state.speaks_for_a_child,
)

AGE = Step(
    id="age",
    kind=Kind.SINGLE,
    prompt={
        SELF: _l("How old are you?"),
        HELPER: _l("How old is your brother, sister or friend?"),
        OTHER: _l("How old is the young person?"),
    },
    hint=_l("You do not need to give a birthday."),
    why=_l("This helps us find the right team."),
    summary={SELF: _l("Your age"), OTHER: _l("Their age")},
    choices=(
        Choice("under_12", _l("Under 12")),
        Choice("12_15", _l("12 to 15")),
        Choice("16_17", _l("16 or 17")),
        Choice("18_25", {SELF: _l("18 to 25"), OTHER: _l("18 to 25")}),
        Choice("over_25", _l("Over 25"), show_if=lambda state: state.is_about_self),
    ),
    errors={"required": _l("Pick an age group.")},
    show_if=lambda state: state.has_a_young_person,
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
            show_if=about_a_young_person,
        ),
        Choice(
            "home",
            {SELF: _l("Where I live"), OTHER: _l("Where they live")},
            icon="home",
            show_if=about_a_young_person,
        ),
        Choice(
            "family",
            {SELF: _l("Seeing my family"), OTHER: _l("Seeing their family")},
            icon="family",
            show_if=about_a_young_person,
        ),
        Choice(
            "leaving_care", _l("Help after leaving care"), icon="key", show_if=about_a_young_person
        ),
        Choice(
            "carer_support",
            _l("The help the council gives me as a carer"),
            hint=_l("For example, visits, training or support."),
            icon="helper",
            show_if=lambda state: state.is_carer,
        ),
        Choice("money", _l("Money"), icon="money"),
        Choice(
            "decision",
            {SELF: _l("A decision about me"), OTHER: _l("A decision about them")},
            icon="decision",
            show_if=about_a_young_person,
        ),
        Choice(
            "treated",
            {SELF: _l("How I was treated"), OTHER: _l("How they were treated")},
            icon="treated",
            show_if=about_a_young_person,
        ),
        Choice(
            "adult_treated",
            _l("How I was treated, as a parent, carer or worker"),
            icon="treated",
            show_if=lambda state: state.who in ADULTS[:2],
        ),
        Choice(
            "carer_approval",
            _l("My approval or checks as a foster carer or adopter"),
            icon="decision",
            show_if=lambda state: state.role in (Role.FOSTER_CARER, Role.ADOPTER),
        ),
        Choice(
            "court_report",
            _l("A report the council wrote for a family court"),
            icon="decision",
            show_if=lambda state: state.who in ADULTS,
        ),
        Choice(
            "elsewhere", _l("School, police, doctors, a court, or child protection"), icon="other"
        ),
        Choice(
            "not_safe",
            {
                SELF: _l("I do not feel safe"),
                HELPER: _l("They are not safe now"),
                OTHER: _l("I'm worried a child is being harmed"),
            },
            icon="alert",
        ),
        Choice("other", _l("Something else"), icon="other"),
    ),
    errors={"required": _l("Pick at least one thing.")},
)

ELSEWHERE = Step(
    id="elsewhere",
    kind=Kind.MULTI,
    prompt=_l("Which of these is it about?"),
    hint=_l("Pick all that fit."),
    summary=_l("Also about"),
    choices=(
        Choice("school", _l("A school or college"), icon="school"),
        Choice("police", _l("The police"), icon="police"),
        Choice("health", _l("A doctor, nurse or hospital"), icon="health"),
        Choice("court_decision", _l("A decision made by a court"), icon="decision"),
        Choice("child_protection", _l("A child protection meeting or plan"), icon="decision"),
    ),
    errors={"required": _l("Pick at least one.")},
    show_if=lambda state: "elsewhere" in state.topics,
)

TOPIC_OTHER = Step(
    id="topic_other",
    kind=Kind.SHORT_TEXT,
    prompt=_l("What else is it about?"),
    hint=_l("A few words is fine."),
    examples=(
        {
            SELF: _l("For example: my school taxi, or my phone."),
            HELPER: _l("For example: their school taxi, or their phone."),
            OTHER: _l("For example: school transport, or a missed payment."),
        },
    ),
    summary=_l("Something else"),
    max_length=SHORT_TEXT_LIMIT,
    errors={"required": _l("Write a few words about what it is.")},
    show_if=lambda state: state.has_other_topic,
)

SIGNPOST = Step(
    id="signpost",
    kind=Kind.SIGNPOST,
    prompt={
        SELF: _l("Some of this may be for someone else"),
        OTHER: _l("Some of this may be for someone else"),
    },
    summary=_l("Other places to go"),
    choices=(Choice("send_anyway", _l("Send it to the council anyway")),),
    errors={"required": _l("Press the button to send it to the council anyway.")},
    show_if=lambda state: state.needs_signpost,
)

WHAT_HAPPENED = Step(
    id="what_happened",
    kind=Kind.LONG_TEXT,
    prompt=_l("What happened?"),
    hint=_l("Tell us in your own words. Short is fine."),
    examples=(
        {
            SELF: _l("My social worker cancelled my visit three times."),
            OTHER: _l("Visits from the social worker were cancelled three times."),
        },
        {
            SELF: _l("Nobody asked me before they made a decision."),
            OTHER: _l("Nobody listened before they made a decision."),
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
        Choice("this_month", _l("This month"), icon="calendar"),
        Choice("this_year", _l("In the last year"), icon="calendar"),
        Choice("over_a_year", _l("More than a year ago"), icon="calendar"),
        Choice("not_sure", _l("I am not sure"), icon="unsure"),
    ),
    errors={"required": _l("Pick when it happened. 'I am not sure' is fine.")},
)

COURT_POLICE = Step(
    id="court_police",
    kind=Kind.SINGLE,
    prompt={
        SELF: _l("Is a court or the police looking at this right now?"),
        OTHER: _l("Is a court or the police looking at this right now?"),
    },
    hint=_l("This will not stop you. It helps us know what we can look at now."),
    summary=_l("Court or police"),
    choices=(
        Choice("no", _l("No"), icon="no"),
        Choice("court", _l("Yes, a court case"), icon="decision"),
        Choice("police", _l("Yes, the police"), icon="police"),
        Choice("not_sure", _l("I am not sure"), icon="unsure"),
    ),
    errors={"required": _l("Pick one. 'I am not sure' is fine.")},
)

CHILD_ASKED = Step(
    id="child_asked",
    kind=Kind.SINGLE,
    prompt=_l("Did the young person ask you to make this complaint?"),
    hint=_l("Pick the one that fits. The council needs to know what they want."),
    summary=_l("What the young person wants"),
    choices=(
        Choice("yes", _l("Yes, they asked me to"), icon="yes"),
        Choice("not_yet", _l("No, they do not know yet"), icon="unsure"),
        Choice("disagrees", _l("No, they know but they do not agree"), icon="no"),
        Choice("cannot_say", _l("They are too young, or not able to say"), icon="person"),
    ),
    errors={"required": _l("Pick the one that fits.")},
    show_if=lambda state: state.is_advocate,
)

CHILD_WORDS = Step(
    id="child_words",
    kind=Kind.LONG_TEXT,
    prompt=_l("What did the young person say, in their own words?"),
    hint=_l("Write what they told you, as they said it."),
    examples=(_l('For example: "I want to see my mum more. Nobody listens to me."'),),
    summary=_l("The young person's own words"),
    max_length=LONG_TEXT_LIMIT,
    errors={"required": _l("Write what the young person said.")},
    show_if=lambda state: state.child_could_say,
)

PARENTAL_RESPONSIBILITY = Step(
    id="parental_responsibility",
    kind=Kind.SINGLE,
    prompt=_l("Do you have parental responsibility for the young person?"),
    hint=_l(
        "This is the legal right to make decisions for a child. You can still complain without it."
    ),
    summary=_l("Parental responsibility"),
    choices=(
        Choice("yes", _l("Yes"), icon="yes"),
        Choice("no", _l("No"), icon="no"),
        Choice("not_sure", _l("I am not sure"), icon="unsure"),
    ),
    errors={"required": _l("Pick one. 'I am not sure' is fine.")},
    show_if=lambda state: state.asks_about_parental_responsibility,
)

CONSENT = Step(
    id="consent",
    kind=Kind.SINGLE,
    prompt={
        HELPER: _l("Does your brother, sister or friend know you are telling us?"),
        OTHER: _l("Does the young person know you are telling us?"),
    },
    hint={
        HELPER: _l("It is OK if they do not know yet."),
        OTHER: _l("We ask because it is their life. Pick the one that fits."),
    },
    summary=_l("What the young person knows"),
    choices=(
        Choice("knows_agrees", _l("Yes, and they agree"), icon="yes"),
        Choice("not_yet", _l("They do not know yet"), icon="unsure"),
        Choice("too_young", _l("They are too young, or not able to say")),
        Choice("disagrees", _l("They do not agree"), icon="no"),
    ),
    errors={"required": _l("Pick the one that fits.")},
    show_if=lambda state: state.speaks_for_a_child and not state.is_advocate,
)

CONSENT_NOTE = Step(
    id="consent_note",
    kind=Kind.LONG_TEXT,
    prompt=_l("How did you try to find out what they think?"),
    hint=_l("Tell us what you did to hear their view."),
    examples=(_l("For example: I watched how they play, and I asked their teacher."),),
    why=_l("The council must listen to every young person, even one who cannot say."),
    summary=_l("How you tried to hear their view"),
    max_length=1000,
    errors={"required": _l("Write how you tried to find out what they think.")},
    show_if=lambda state: state.asks_how_view_was_sought,
)

OUTCOME = Step(
    id="outcome",
    kind=Kind.MULTI,
    prompt=_l("What would make it better?"),
    hint=_l("Pick all that fit."),
    summary=_l("What would make it better"),
    choices=(
        Choice("sorry", _l("Someone says sorry"), icon="sorry"),
        Choice("explain", _l("Someone explains why"), icon="explain"),
        Choice("change", _l("Something changes"), icon="change"),
        Choice("look_again", _l("A decision is looked at again"), icon="decision"),
        Choice("meet", _l("A meeting to talk about it"), icon="meeting"),
        Choice("not_sure", _l("I am not sure yet"), icon="unsure"),
    ),
    errors={"required": _l("Pick at least one. 'I am not sure yet' is fine.")},
)

OUTCOME_WORDS = Step(
    id="outcome_words",
    kind=Kind.LONG_TEXT,
    prompt=_l("Anything else you want to happen?"),
    hint=_l("Use your own words. You can skip this."),
    examples=(
        {
            SELF: _l("For example: I want to see my brother every week."),
            HELPER: _l("For example: they want to see their mum every week."),
            OTHER: _l("For example: a meeting with the team manager, or visits every week."),
        },
    ),
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
        Choice("yes", _l("Yes, please"), icon="yes"),
        Choice("no", _l("No, thank you"), icon="no"),
        Choice(
            "more", _l("Tell me more"), next="advocate_more", is_an_answer=False, icon="explain"
        ),
    ),
    errors={"required": _l("Pick yes, no or tell me more.")},
    next="contact",
    # Every young person is offered an advocate (s26A); an advocate or a carer's own
    # complaint has no one to offer it to.
    show_if=lambda state: not state.is_advocate and state.has_a_young_person,
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
        Choice("yes", _l("Yes, I would like an advocate"), icon="yes"),
        Choice("no", _l("No, thank you"), icon="no"),
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
            show_if=about_a_young_person,
        ),
        Choice(
            "social_worker",
            {SELF: _l("Through my social worker"), OTHER: _l("Through their social worker")},
            icon="social_worker",
            show_if=about_a_young_person,
        ),
        Choice("link_only", _l("No messages. I will use my private link."), icon="key"),
    ),
    errors={"required": _l("Pick how we should get in touch.")},
    show_if=lambda state: not state.is_advocate,
)

EMAIL = Step(
    id="email",
    kind=Kind.SHORT_TEXT,
    about_the_writer=True,
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
    about_the_writer=True,
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

CONTACT_SAFE = Step(
    id="contact_safe",
    kind=Kind.SINGLE,
    prompt=_l("Is it safe for messages to come to this phone or email?"),
    hint=_l(
        "Could someone else see messages there? If so, pick No. We will not send anything "
        "there. You can still use your private link."
    ),
    why=_l("We ask so that only you see our messages."),
    summary=_l("Safe to send messages there"),
    choices=(
        Choice("yes", _l("Yes, it is safe"), icon="yes"),
        Choice("no", _l("No, do not send messages"), icon="no"),
    ),
    errors={"required": _l("Pick yes or no.")},
    # Asked once, before the address is ever used; a no means nothing is sent there.
    show_if=lambda state: state.gives_an_address,
)

NAME = Step(
    id="name",
    kind=Kind.SHORT_TEXT,
    about_the_writer=True,
    prompt=_l("What should we call you?"),
    hint=_l("Your first name or a nickname is fine. You can skip this."),
    examples=(
        {
            SELF: _l("For example: Jess, or JJ"),
            HELPER: _l("For example: Jess, or JJ"),
            OTHER: _l("For example: Sam, or Mrs Khan"),
        },
    ),
    summary=_l("Your name"),
    required=False,
    max_length=100,
    show_if=lambda state: not state.is_advocate,
)

RECORDS = Step(
    id="records",
    kind=Kind.LONG_TEXT,
    prompt={
        SELF: _l("Anything that helps us find your records?"),
        OTHER: _l("Anything that helps us find the right records?"),
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
    # fmt: off
    steps=(
        WHO,
        SELF_STATUS,
        ADULT_ROLE,
        COMPLAINT_FOR,
        OTHER_ROLE,
        ADVOCATE_NAME,
        ADVOCATE_ORGANISATION,
        ADVOCATE_EMAIL,
        ADVOCATE_PHONE,
        CHILD_NAME,
        AGE,
        TOPICS,
        ELSEWHERE,
        TOPIC_OTHER,
        SIGNPOST,
        WHAT_HAPPENED,
        WHEN,
        COURT_POLICE,
        CHILD_ASKED,
        CHILD_WORDS,
        PARENTAL_RESPONSIBILITY,
        CONSENT,
        CONSENT_NOTE,
        OUTCOME,
        OUTCOME_WORDS,
        ADVOCATE,
        ADVOCATE_MORE,
        CONTACT,
        EMAIL,
        PHONE,
        CONTACT_SAFE,
        NAME,
        RECORDS,
    ),
    # fmt: on
    state=ComplaintState,
)
