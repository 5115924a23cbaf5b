"""Messages in the reader's language: gettext catalogues, lazy messages, numbers and dates by locale (#12).

A message is written once, in English, as the catalogue's ``msgid``, and marked with :func:`T`::

    T("expected a number, got {value}", value=short(raw))

``T`` returns a :class:`Message`: a ``str`` whose value is the English text (so code that compares,
joins or logs it keeps working) and which carries its ``msgid`` and parameters. It is translated only
when it is shown, by the one function :func:`render`, so a problem cached with a checked definition is
shown in whatever language the next reader asks for. Parameters are rendered too: a ``Message`` in the
reader's language, a ``Decimal``/``int``/``float`` with the locale's separators (``9.500.000,5`` in
Vietnamese, ``9,500,000.5`` in English), a ``date`` as ``20/06/2025`` or ISO ``2025-06-20``. Any other
value (a name, a quoted input, a year) is shown as its ``str``: pass a year as text, or it is grouped.

The catalogues are ``locale/<lang>/LC_MESSAGES/cds_index.po``, compiled to ``.mo`` when the wheel is
built (``hatch_build.py``); a source checkout without a ``.mo`` (or with one older than its ``.po``)
compiles the ``.po`` in memory with Babel on first use. Nothing here imports Babel until a message is
rendered, so ``import cds_index`` stays light.

The language is chosen in one place, :func:`choose_language`: an explicit argument, else
``CDS_INDEX_LANG``, else the machine's locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else Vietnamese.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import os
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # the rest loads when a message is rendered: `import cds_index` stays light (#11)
    import gettext
    from pathlib import Path
    from types import TracebackType

Lang = Literal["vi", "en"]
LANGUAGES: tuple[Lang, ...] = ("vi", "en")
DEFAULT: Lang = "vi"
DOMAIN = "cds_index"
PROSE_DOMAIN = "definitions"
"""The catalogue of the bundled definitions' own prose (:class:`Prose`), beside the code's messages."""
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")
"""The catalogues' folder (a text, not a Path: pathlib is not imported to build a message)."""
ENV = "CDS_INDEX_LANG"


class Message(str):
    """A translatable message: its ``str`` value is the English text; :func:`render` translates it."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: dict[str, Any] | None = None) -> Message:
        params = dict(params or {})
        self = super().__new__(cls, _fill(msgid, params, None))
        self.msgid = msgid
        self.params = params
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickled across worker processes as itself, not a str
        return (Message, (self.msgid, self.params))

    def __repr__(self) -> str:
        return f"T({str(self)!r})"


class Prose(str):
    """A definition's own prose (an assumption, a reading not chosen, an erratum's note, a description).

    Its value is the text as the definition writes it; :func:`render` shows it through the
    ``definitions`` catalogue (``locale/<lang>/LC_MESSAGES/definitions.po``, whose msgids are the
    bundled definitions' English texts), so an official reads the bundled assumptions in Vietnamese. A
    text with no entry (a province's own definition, written in Vietnamese) is shown as written, in
    every language. The decisions' own words (titles, guidance) are plain ``str``: never looked up.
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:  # pickled across worker processes as itself, not a str
        return (Prose, (str(self),))


def T(msgid: str, /, **params: Any) -> Message:
    """Mark ``msgid`` (English, with ``{name}`` placeholders) for translation; fill it with ``params``."""
    return Message(msgid, params)


def render(text: Any, lang: str | None = None) -> str:
    """``text`` for a reader of ``lang`` (chosen by :func:`choose_language` when ``None``).

    A :class:`Message` is translated with its parameters rendered alike; any other text is returned as
    it is (a title or note from a decision is the decision's words in every language).
    """
    if not isinstance(text, Message):
        if isinstance(text, Prose):
            return _prose(text, choose_language(lang))
        return text if isinstance(text, str) else str(text)
    lang = choose_language(lang)
    try:
        return _fill(translation(lang).gettext(text.msgid), text.params, lang)
    except (KeyError, IndexError, ValueError):
        # a translation whose placeholders differ from its msgid's (tests/test_i18n.py checks every
        # entry, so only a catalogue edited since): the English text, rather than no message at all
        return _fill(text.msgid, text.params, lang)


def render_optional(text: Any, lang: str | None = None) -> str | None:
    """:func:`render`, keeping ``None`` (a problem without a hint)."""
    return None if text is None else render(text, lang)


def _fill(template: str, params: dict[str, Any], lang: Lang | None) -> str:
    if lang is None:  # every message's English text, made when it is: a plain text is itself (#11)
        values = {
            name: value if type(value) is str else _param(value, None) for name, value in params.items()
        }
    else:
        values = {name: _param(value, lang) for name, value in params.items()}
    if "} points" in template:  # English: "1 point", not "1 points" (#11)
        template = _ONE_POINT.sub(lambda m: _singular(m, values), template)
    return template.format_map(values)


_ONE_POINT = re.compile(r"\{(\w+)\} points\b")
"""``{name} points`` in an English text: the one English noun our messages count."""


def _singular(match: re.Match[str], values: dict[str, Any]) -> str:
    """``{name} point`` where the value is written ``1``, else the text as it was."""
    return "{" + match.group(1) + "} point" if str(values.get(match.group(1))) == "1" else match.group(0)


def _prose(text: Prose, lang: Lang) -> str:
    """A definition's prose in ``lang``: its translation in the ``definitions`` catalogue, else as written."""
    plain = str(text)
    if lang == "en":  # the bundled definitions write their prose in English: it is its own msgid
        return plain
    return translation(lang, PROSE_DOMAIN).gettext(plain)


def _param(value: Any, lang: Lang | None) -> Any:
    if isinstance(value, Message):
        return str(value) if lang is None else render(value, lang)
    if isinstance(value, Prose):
        return str(value) if lang is None else _prose(value, lang)
    if lang is None:  # the English str value: numbers as the code always wrote them (`plain`)
        return _plain(value) if isinstance(value, Decimal) else value
    if isinstance(value, bool):
        return render(T("yes") if value else T("no"), lang)
    if isinstance(value, int | Decimal | float):
        return number(value, lang)
    if isinstance(value, dt.datetime):
        return date(value.date(), lang)
    if isinstance(value, dt.date):
        return date(value, lang)
    return value


def number(value: int | Decimal | float, lang: str | None = None) -> str:
    """A number with the locale's separators, every digit kept: ``9.500.000,5`` / ``9,500,000.5``."""
    from decimal import Context, Decimal, localcontext

    from babel.numbers import format_decimal

    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, int):
        value = Decimal(value)
    if not value.is_finite() or not -200 < value.adjusted() < 200:
        return str(value)  # nothing an accepted value reaches: shown as it is, never a failure
    lang = choose_language(lang)
    key = (value, lang)
    if value:  # 0 and -0 are equal keys with two texts: not kept
        text = _NUMBERS.get(key)
        if text is not None:
            return text
    value = Decimal(_plain(value))  # 1.50 is 1,5 and 2E+1 is 20, as everywhere else
    # Babel quantizes in the thread's context: give it room for every digit (28 by default)
    with localcontext(Context(prec=len(value.as_tuple().digits) + 210)):
        text = format_decimal(value, locale=lang, decimal_quantization=False)
    if value:
        if len(_NUMBERS) >= _NUMBERS_MAX:
            _NUMBERS.clear()  # a bound, not an eviction policy: the common numbers come back at once
        _NUMBERS[key] = text
    return text


_NUMBERS: dict[tuple[Decimal, str], str] = {}
"""The texts :func:`number` has written, by value and language: Babel takes 10–20 µs a number, and
a result's warnings write the same few again for every unit (#11: a third of writing a points
answer of Huế 2263). Equal values have one text (``1.50`` and ``1.5`` are both ``1,5``)."""
_NUMBERS_MAX = 1 << 12


def _plain(value: Decimal) -> str:
    global _PLAIN_TEXT
    if _PLAIN_TEXT is None:  # numbers imports this module: its writer is taken on first use
        from .numbers import plain

        _PLAIN_TEXT = plain
    return _PLAIN_TEXT(value)


_PLAIN_TEXT: Callable[[Decimal], str] | None = None


def date(value: dt.date, lang: str | None = None) -> str:
    """A date as officials write it: ``20/06/2025`` in Vietnamese, ISO ``2025-06-20`` in English."""
    return value.strftime("%d/%m/%Y") if choose_language(lang) == "vi" else value.isoformat()


# --- choosing the language -------------------------------------------------------------------------


def _known(tag: str) -> Lang | None:
    """``vi``/``en`` for a language tag or POSIX locale (``vi_VN.UTF-8``, ``en-GB``), else ``None``."""
    primary = tag.strip().replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    return primary if primary in LANGUAGES else None


class LanguageError(ValueError):
    """A language asked for (an argument, ``CDS_INDEX_LANG``) that cds_index does not speak.

    (A ``ValueError``, not a :class:`~cds_index.errors.UsageError`: the errors module renders through
    this one, so this one does not import it; the command line turns it into a ``usage`` problem.)
    """

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


_CURRENT: contextvars.ContextVar[Lang | None] = contextvars.ContextVar("cds_index_lang", default=None)


class using:
    """Within the block, ``lang`` is the explicit choice of everything rendered without one.

    The command line sets it from ``--lang`` for a whole command, the HTTP server from a request's
    ``Accept-Language`` for the whole request (a context variable: each thread or task has its own).
    """

    def __init__(self, lang: str | None) -> None:
        self.lang = None if lang is None else choose_language(lang)
        self._tokens: list[contextvars.Token[Lang | None] | None] = []

    def __enter__(self) -> None:  # `using(None)` changes nothing: the choice around it stands
        self._tokens.append(None if self.lang is None else _CURRENT.set(self.lang))

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        token = self._tokens.pop()
        if token is not None:
            _CURRENT.reset(token)


def choose_language(explicit: str | None = None) -> Lang:
    """The reader's language: ``explicit`` (or :func:`using`'s) > ``CDS_INDEX_LANG`` > the machine's
    locale > Vietnamese.

    An explicit value or ``CDS_INDEX_LANG`` that is not a known language is refused
    (:class:`LanguageError`); a machine locale that is not one (``C``, ``fr_FR``) gives Vietnamese,
    the default.
    """
    if explicit == "vi" or explicit == "en":  # the common case, asked for every message rendered (#11)
        return explicit  # type: ignore[return-value]
    if not explicit:
        current = _CURRENT.get()
        if current is not None:
            return current
    for given, origin in ((explicit, "lang"), (os.environ.get(ENV), ENV)):
        if given:
            lang = _known(given)
            if lang is None:
                raise LanguageError(
                    T(
                        "{origin}={value} is not a language cds_index speaks; use one of {choices}",
                        origin=origin,
                        value=repr(given),
                        choices=", ".join(LANGUAGES),
                    )
                )
            return lang
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):  # POSIX: the first one set decides
        value = os.environ.get(variable)
        if value:
            return _known(value) or DEFAULT
    return DEFAULT


def accept_language(header: str | None) -> Lang:
    """The language an HTTP ``Accept-Language`` header prefers most among ours; Vietnamese otherwise.

    >>> accept_language("fr-CH, fr;q=0.9, en;q=0.8, vi;q=0.7")
    'en'
    >>> accept_language("en;q=0, *;q=0.5")
    'vi'
    """
    best: list[tuple[float, int, Lang]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, rest = part.partition(";")
        quality = 1.0
        for param in rest.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
                if not 0.0 <= quality <= 1.0:  # also NaN
                    quality = 0.0
        tag = tag.strip()
        lang = DEFAULT if tag == "*" else _known(tag) if tag else None
        if lang is not None and quality > 0:
            best.append((-quality, index, lang))
    return min(best)[2] if best else DEFAULT


# --- catalogues ------------------------------------------------------------------------------------

_TRANSLATIONS: dict[str, gettext.NullTranslations] = {}


def catalogue_path(lang: str, suffix: str = ".po", domain: str = DOMAIN) -> Path:
    from pathlib import Path

    return Path(LOCALE_DIR, lang, "LC_MESSAGES", domain + suffix)


def translation(lang: Lang, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang``: the ``.mo`` beside its ``.po``, or the ``.po`` compiled now.

    ``domain``: the code's messages (``cds_index``, every language has it) or the definitions' prose
    (``definitions``: a language without one shows the prose as written).
    """
    key = lang if domain == DOMAIN else f"{domain}:{lang}"
    found = _TRANSLATIONS.get(key)
    if found is None:
        found = _TRANSLATIONS[key] = _load(lang, domain)
    return found


def _load(lang: Lang, domain: str = DOMAIN) -> gettext.NullTranslations:
    import gettext
    import io
    import struct

    po, mo = catalogue_path(lang, domain=domain), catalogue_path(lang, ".mo", domain)
    if domain != DOMAIN and not po.is_file() and not mo.is_file():
        return gettext.NullTranslations()  # no translation of the definitions' prose: as written
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        try:
            with mo.open("rb") as handle:
                return gettext.GNUTranslations(handle)
        except (OSError, ValueError, IndexError, UnicodeDecodeError, struct.error):
            if not po.is_file():
                raise
            # a .mo being written by a build beside this process: the .po is the authority
    if not po.is_file():
        raise FileNotFoundError(f"the {lang} catalogue is missing: {po}")  # a broken install
    return gettext.GNUTranslations(io.BytesIO(compile_po(po, domain)))


def compile_po(po: Path, domain: str = DOMAIN) -> bytes:
    """A ``.po`` file compiled to ``.mo`` bytes with Babel (the build hook writes them to disk)."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, domain=domain)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def placeholders(template: str) -> set[str]:
    """The ``{name}`` fields of a template (a translation must have the same as its msgid)."""
    import string

    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def join(parts: list[str], how: Literal["or", "comma"]) -> str:
    """``a or b or c`` / ``a, b, c`` as one message in the reader's language (``parts`` may be messages)."""
    if not parts:
        return ""
    joined = parts[0]
    for part in parts[1:]:
        joined = T("{a} or {b}", a=joined, b=part) if how == "or" else T("{a}, {b}", a=joined, b=part)
    return joined


class Words(dict[str, dict[str, str]]):
    """A table of short words (an explanation's "điểm", a status's "Đạt"), looked up per language.

    ``Words("explanation", {"pt": "points", …})`` maps each key to its English msgid, translated in
    the catalogue under the context (``msgctxt``) ``context`` (a short word is ambiguous: "at most" is
    "tối đa" in one sentence and "tối đa trừ" in another, so a key may name its own context as
    ``(context, msgid)``). ``words[lang]`` is the dict of every key in ``lang``, built on first use
    and kept: explanations are written for every node of every unit, so the hot path is a plain dict
    lookup (this is a ``dict`` whose missing language is built), never a catalogue search (#11, #12).
    """

    def __init__(self, context: str, msgids: dict[str, str | tuple[str, str]]) -> None:
        super().__init__()
        self.context = context
        self.msgids = msgids

    def __missing__(self, lang: str) -> dict[str, str]:
        built = self[lang] = self._build(choose_language(lang))
        return built

    def __contains__(self, lang: object) -> bool:
        return lang in LANGUAGES

    def _build(self, lang: Lang) -> dict[str, str]:
        catalogue = translation(lang)
        built: dict[str, str] = {}
        for key, entry in self.msgids.items():
            context, msgid = entry if isinstance(entry, tuple) else (self.context, entry)
            built[key] = catalogue.pgettext(context, msgid)
        return built

    def entries(self) -> list[tuple[str, str]]:
        """Every ``(msgctxt, msgid)`` of the table (tests check each is in both catalogues)."""
        return [
            entry if isinstance(entry, tuple) else (self.context, entry) for entry in self.msgids.values()
        ]


# --- the operating system's refusals ----------------------------------------------------------------


def system_reason(error: OSError) -> Message:
    """Why the system refused a file, in the reader's language: ``EEXIST`` is "a file of that name
    exists already", not the system's English "File exists".

    The one translation of an :class:`OSError` for every message that names one (the command line's
    "cannot write …", the readers' "cannot read …"). An error number not listed here keeps the
    system's own words, quoted and with its number, so nothing is hidden.
    """
    import errno

    name = errno.errorcode.get(error.errno or 0, "")
    reasons: dict[str, Message] = {
        "ENOENT": T("there is no such file or folder"),
        "EEXIST": T("a file of that name exists already"),
        "EACCES": T("permission denied"),
        "EPERM": T("the operation is not permitted"),
        "EISDIR": T("it is a folder"),
        "ENOTDIR": T("a part of the path is a file, not a folder"),
        "ENOTEMPTY": T("the folder is not empty"),
        "ENOSPC": T("there is no space left on the disk"),
        "EDQUOT": T("the disk quota is used up"),
        "EROFS": T("the disk is read-only"),
        "ENAMETOOLONG": T("the name is too long"),
        "ELOOP": T("too many symbolic links"),
        "EMFILE": T("too many files are open"),
        "ENFILE": T("too many files are open"),
        "EBUSY": T("the file is in use"),
        "ETXTBSY": T("the file is in use"),
        "EIO": T("the disk could not be read or written (input/output error)"),
    }
    found = reasons.get(name)
    if found is not None:
        return found
    said = error.strerror or str(error) or type(error).__name__
    return T("the system says {said} ({code})", said=repr(said), code=name or str(error.errno))
