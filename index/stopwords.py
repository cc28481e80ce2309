"""Bulgarian stopwords, rebuilt from the grammar's closed word classes.

A stopword list is a fact list: the pronouns, prepositions, conjunctions,
particles and auxiliary forms of the language. It is written out here by word
class so that a reviewer can check each group against a grammar, rather than
copied from another project. Honorifics and their pieces are stopwords too:
«г-жа Мая Василева» must index the name, not the title, and pages also write
«г- жа» with a stray space.

Content words are kept even when frequent (има, няма, може, много are kept
out on purpose: «няма да има» and «може» carry meaning in policy news).
"""

from __future__ import annotations

__all__ = ["HONORIFICS", "STOPWORDS", "is_stopword"]


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


# Personal pronouns: full and short (clitic) forms, reflexive.
_PERSONAL = _words("""
    аз ти той тя то ние вие те
    мен мене ме теб тебе него го нея я ѝ й нас ни вас ви тях ги
    ми му им
    себе се си
""")

# Possessive pronouns, all genders and numbers, with articles.
_POSSESSIVE = _words("""
    мой моя моят мое моето мои моите
    твой твоя твоят твое твоето твои твоите
    негов негова неговата неговия неговият негово неговото негови неговите
    неин нейна нейната нейния нейният нейно нейното нейни нейните
    наш наша нашата нашия нашият наше нашето наши нашите
    ваш ваша вашата вашия вашият ваше вашето ваши вашите
    техен тяхна тяхната техния техният тяхно тяхното техни техните
    свой своя своята своят свое своето свои своите
""")

# Demonstratives and pro-adverbs of place, time and manner.
_DEMONSTRATIVE = _words("""
    този тази това тези онзи онази онова онези
    такъв такава такова такива толкова
    тук там сега тогава така оттук оттам дотук
""")

# Interrogative and relative pronouns and adverbs.
_RELATIVE = _words("""
    кой коя кое кои който която което които
    чий чия чие чии чийто чиято чието чиито
    какъв каква какво какви какъвто каквато каквото каквито
    колко колкото къде където кога когато как както
    защо откъде накъде докъде докога откога доколкото
""")

# Indefinite, negative and universal pronouns.
_INDEFINITE = _words("""
    някой някоя някое някои нещо някъде някога някак някакъв някаква някакво някакви
    никой никоя никое никои нищо никъде никога никак никакъв никаква никакво никакви
    всеки всяка всяко всички всичко всичките всякакъв всякаква всякакво всякакви
    един една едно едни друг друга друго други другите
    сам сама само сами
""")

# Prepositions (simple and compound).
_PREPOSITIONS = _words("""
    в във на с със за от до по при през към след пред преди под над между
    без върху около срещу чрез у освен покрай сред измежду из откъм спрямо
    според относно поради заради вместо въпреки зад отвъд посред
""")

# Conjunctions.
_CONJUNCTIONS = _words("""
    и или но а ала обаче че ако като докато щом макар нито пък затова
    понеже тъй дали сякаш ама та следователно
""")

# Particles and function adverbs.
_PARTICLES = _words("""
    не ли ще би нека дори още вече даже май уж ето ей ами нали да най
    също пак
""")

# Forms of съм and бъда (present, past, participles, future auxiliaries).
_BE = _words("""
    съм си е сме сте са
    бях беше бе бяхме бяхте бяха
    бил била било били
    бъда бъдеш бъде бъдем бъдете бъдат
""")

# Abbreviations that stand for function words or units of text.
_ABBREVIATIONS = _words("""
    г гр ул бул обл др т н вкл напр ч
""")

# Any single letter: the one-letter words are all function words (в, с, к, у,
# и, а, о, я, е) and the rest are fragments of abbreviations («и.д.», «т.г.»).
_SINGLE_LETTERS = frozenset("абвгдежзийклмнопрстуфхцчшщъьюя")

HONORIFICS: frozenset[str] = _words("""
    г-жа г-жи г-н г-ца г-да д-р проф доц инж арх акад
    жа ца
""")
"""Titles that precede names; «жа»/«ца» are the pieces of «г- жа»/«г- ца»."""

STOPWORDS: frozenset[str] = (
    _PERSONAL
    | _POSSESSIVE
    | _DEMONSTRATIVE
    | _RELATIVE
    | _INDEFINITE
    | _PREPOSITIONS
    | _CONJUNCTIONS
    | _PARTICLES
    | _BE
    | _ABBREVIATIONS
    | _SINGLE_LETTERS
    | HONORIFICS
)
"""All stopwords, lower case, Cyrillic."""


def is_stopword(word: str) -> bool:
    """True for a lower-case word that the index should not store."""
    return word in STOPWORDS
