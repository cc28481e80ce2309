"""Projects, operations and procedures: codes, quoted titles, merging, exclusions.

Seed sentences come from the shared seed articles (shared/seeds/); the others
are written in the style of the sources (agency, ministry and municipality
press releases about ESF/ОПРЧР/ПРЧР projects). Expected values follow
shared/notes/annotation-conventions.md, "projects".
"""

from __future__ import annotations

import pytest

from crawler.extract.projects import find_projects, project_name_key

CAPACITY = (
    "Повишаване на капацитета на служителите в сферата на закрилата на детето, социалните "
    "услуги и социалното подпомагане"
)
CAPACITY_CODE = "BG05M9OP001-3.006-0001"


def found(text: str, title: str = "") -> list[tuple[str | None, str | None]]:
    return [(p.code, p.name) for p in find_projects(text, title)]


# ---------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------


def test_seed_001_code_and_name_are_one_project() -> None:
    title = f"Заключителна конференция по проект „{CAPACITY}“"
    text = (
        "Агенцията за социално подпомагане (АСП) днес бе организатор и домакин на заключителна "
        f"конференция по Проект № {CAPACITY_CODE} „{CAPACITY}“, финансиран от Оперативна "
        "програма „Развитие на човешките ресурси“ 2014 – 2020 г., съфинансиран от Европейския "
        "съюз чрез Европейския социален фонд с 29,5 млн. лева."
    )
    assert found(text, title) == [(CAPACITY_CODE, CAPACITY)]


def test_seed_004_three_spellings_one_project() -> None:
    text = (
        "На 12 септември 2017 г., по инициатива на областните координатори на проекта на "
        f"Агенция социално подпомагне „{CAPACITY}”, Мила Пашова и Адриана Сълева, се проведе "
        "работна среща.\n\n"
        "С кратка презентация, участниците бяха запознати с дейностите на  Проект „Повишаване "
        "капацитета на служителите в сферата на закрилата на детето, социалните услуги и "
        "социалното подпомагане”, след което представиха услугите.\n\n"
        f"Проект №BG05М9ОР001-3.006-0001 „{CAPACITY}“, финансиран от Оперативна програма "
        "„Развитие на човешките ресурси“ 2014-2020, съфинансирана от Европейския съюз."
    )
    assert found(text) == [(CAPACITY_CODE, CAPACITY)]


@pytest.mark.parametrize(
    "text",
    [
        # seed 000: a council, a profession in quotes, no project
        "Мая Василева е наблегнала върху сформирането към МТСП на Съвет за подпомагане на "
        "процеса по извеждане на децата. Налагане на професията „социален работник“ като "
        "престижна.",
        # seed 002: a forum title and a regulation
        "Албена Атанасова участва в двудневен дискусионен форум на тема: „Планиране на "
        "социалните услуги – срокове, ангажименти и отговорности на общините“. Наредба за "
        "планиране на социалните услуги.",
        # seed 003: «разкрити по проект» without a name
        "Фреди Уудс представи процеса по разкриването на 13-те центъра за настаняване от "
        "семеен тип, разкрити по проект и понастоящем получили устойчивост.",
    ],
    ids=["seed000", "seed002-forum", "seed003-unnamed"],
)
def test_seeds_without_projects(text: str) -> None:
    assert found(text) == []


# ---------------------------------------------------------------------------
# Codes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Договорът по проект BG05M9OP0012.003-0001 бе подписан вчера.",
            [("BG05M9OP001-2.003-0001", None)],
        ),
        (
            "по проект BG05M9OP001-2.002-0159-C01 „Център за социална подкрепа“ са наети 12 души.",
            [("BG05M9OP001-2.002-0159-C01", "Център за социална подкрепа")],
        ),
        (
            "Проект „Грижа в дома“ (BG05SFPR002-2.001-0012) стартира в 20 общини.",
            [("BG05SFPR002-2.001-0012", "Грижа в дома")],
        ),
        (
            "Финансирането е по BG05SFPR002-2.004-0003 „Приемна грижа – шанс за всяко дете“.",
            [("BG05SFPR002-2.004-0003", "Приемна грижа – шанс за всяко дете")],
        ),
        (
            "Проект BG03-ПС01-50 „Подобряване на услугите“ е финансиран по Финансовия "
            "механизъм на ЕИП.",
            [("BG03-ПС01-50", "Подобряване на услугите")],
        ),
    ],
    ids=[
        "missing-hyphen",
        "suffix",
        "code-in-parentheses-after-name",
        "code-without-keyword",
        "other-scheme-kept-as-printed",
    ],
)
def test_codes(text: str, expected: list[tuple[str | None, str | None]]) -> None:
    assert found(text) == expected


def test_procedure_and_project_under_it_are_both_listed() -> None:
    text = (
        "Общината кандидатства по процедура BG05M9OP001-2.018 „Социално включване в общността“ "
        "и спечели проект BG05M9OP001-2.018-0012 „Заедно за децата“."
    )
    assert found(text) == [
        ("BG05M9OP001-2.018", "Социално включване в общността"),
        ("BG05M9OP001-2.018-0012", "Заедно за децата"),
    ]


def test_same_code_twice_is_one_project() -> None:
    text = (
        f"Проект № {CAPACITY_CODE} приключи. Крайните резултати по {CAPACITY_CODE} са публикувани."
    )
    assert found(text) == [(CAPACITY_CODE, None)]


def test_lonely_code_and_lonely_name_are_paired() -> None:
    text = (
        "Общината изпълнява проект „Грижа в дома“. Проект № BG05SFPR002-2.001-0012 се "
        "финансира от Програма „Развитие на човешките ресурси“ 2021-2027."
    )
    assert found(text) == [("BG05SFPR002-2.001-0012", "Грижа в дома")]


def test_procedure_code_is_not_paired_with_a_project_name() -> None:
    text = (
        "Общината изпълнява проект „Грижа в дома“ по процедура BG05SFPR002-2.001, обявена "
        "миналата година."
    )
    assert found(text) == [(None, "Грижа в дома"), ("BG05SFPR002-2.001", None)]


def test_bare_programme_code_is_not_a_project() -> None:
    assert found("Оперативна програма BG05M9OP001 е одобрена от ЕК.") == []


# ---------------------------------------------------------------------------
# Quote styles
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "quoted",
    [
        "„Социално включване“",
        "„Социално включване”",
        '„Социално включване"',
        "«Социално включване»",
        '"Социално включване“',
        '"Социално включване"',
        "“Социално включване”",
        "„Социално включване “",
        "„ Социално включване“",
        "Социално включване“",
    ],
    ids=[
        "bg",
        "bg-english-close",
        "bg-straight-close",
        "guillemets",
        "straight-open-bg-close",
        "straight",
        "english",
        "space-before-close",
        "space-after-open",
        "opening-missing",
    ],
)
def test_quote_styles(quoted: str) -> None:
    text = f"По проект {quoted} се изграждат центрове в Ловеч и Габрово."
    assert found(text) == [(None, "Социално включване")]


def test_unbalanced_opening_quote_reads_to_the_end_of_the_title() -> None:
    text = "по проект „Социално включване, финансиран от ОПРЧР, са изградени центрове."
    assert found(text) == [(None, "Социално включване")]


def test_nested_quotes_stay_in_the_name() -> None:
    text = "По проект „Ремонт на ЦНСТ „Слънце“ в Шумен“ бяха ремонтирани две къщи."
    assert found(text) == [(None, "Ремонт на ЦНСТ „Слънце“ в Шумен")]


# ---------------------------------------------------------------------------
# Keywords and names
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Проектът „Патронажна грижа за възрастни хора и лица с увреждания“ продължава и "
            "през 2024 г.",
            [(None, "Патронажна грижа за възрастни хора и лица с увреждания")],
        ),
        (
            "По операция „Топъл обяд“ ще бъдат подпомогнати 500 души.",
            [(None, "Топъл обяд")],
        ),
        (
            "Общината подаде документи по процедура за директно предоставяне на безвъзмездна "
            "финансова помощ „Патронажна грижа – Компонент 3“.",
            [(None, "Патронажна грижа – Компонент 3")],
        ),
        (
            "С проектно предложение „Ново начало“ общината кандидатства пред МТСП.",
            [(None, "Ново начало")],
        ),
        (
            "Национална програма „Активиране на неактивни лица“ и проект „Родители в "
            "заетост“ продължават.",
            [(None, "Родители в заетост")],
        ),
        (
            "По проектите „Независим живот“ и „Подкрепа за достойен живот“ ще бъдат наети "
            "асистенти.",
            [(None, "Независим живот"), (None, "Подкрепа за достойен живот")],
        ),
        (
            "По проект „Патронажна грижа  за възрастни хора и лица\nс увреждания“ се грижат "
            "за 300 души.",
            [(None, "Патронажна грижа за възрастни хора и лица с увреждания")],
        ),
    ],
    ids=[
        "national-programme-called-project",
        "operation",
        "procedure-with-long-filler",
        "project-proposal",
        "programme-is-not-project",
        "plural-list",
        "whitespace-collapsed",
    ],
)
def test_names(text: str, expected: list[tuple[str | None, str | None]]) -> None:
    assert found(text) == expected


def test_name_variants_without_code_merge() -> None:
    text = (
        "По проект „Подкрепа за заетост на хората с увреждания“ са наети 40 души. "
        "Проектът „Подкрепа за заетостта на хората с увреждания“ е с продължителност две "
        "години. В проект „Подкрепа заетост на хората с увреждания“ участват и общините."
    )
    # The third spelling lacks only «за»: merged into the first. «заетост» and
    # «заетостта» differ by more than a function word: two projects.
    assert found(text) == [
        (None, "Подкрепа за заетост на хората с увреждания"),
        (None, "Подкрепа за заетостта на хората с увреждания"),
    ]


def test_distinct_projects_stay_apart_and_keep_order() -> None:
    text = (
        "По проект „Приемна грижа“ и по проект „Детски кът“ са обучени 40 приемни родители. "
        "По проект „Приемна грижа“ предстои още едно обучение."
    )
    assert found(text) == [(None, "Приемна грижа"), (None, "Детски кът")]


# ---------------------------------------------------------------------------
# Not projects
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Министерството публикува за обществено обсъждане проект на Закон за социалните услуги.",
        "Проектът на наредба „За качеството на социалните услуги“ е публикуван.",
        "Кампанията „Бъди приятел“ стартира днес.",
        "Форум на тема: „Децата първо“ ще се проведе утре.",
        "Фотоизложбата „Огледала на обичта! За любовта от първо лице“ е в сградата на МТСП.",
        "Националната стратегия „Визия за деинституционализация“ бе приета.",
        "Финансиран от Оперативна програма „Развитие на човешките ресурси“ 2014-2020.",
        "По проект на Оперативна програма „Развитие на човешките ресурси“ се осигурява заетост.",
        "Проектът се изпълнява от общината, а кампанията „Чисти ръце“ – от училищата.",
        "Общините подадоха проекти по мярка „Енергийна ефективност“.",
        "Кметът коментира проекта: „Ние сме доволни. Работата продължава.“",
        "В проекта „социален работник“ е описан като ключова професия.",
    ],
    ids=[
        "draft-law",
        "draft-regulation",
        "campaign",
        "forum",
        "exhibition",
        "strategy",
        "operational-programme",
        "programme-after-keyword",
        "keyword-far-from-quote",
        "measure",
        "quoted-statement",
        "lower-case-term",
    ],
)
def test_not_projects(text: str) -> None:
    assert found(text) == []


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def test_project_name_key_drops_only_short_function_words() -> None:
    with_na = project_name_key(CAPACITY)
    assert with_na == project_name_key(CAPACITY.replace("Повишаване на", "Повишаване"))
    assert with_na == project_name_key(f"„{CAPACITY.upper()}“")
    assert project_name_key("Приемна грижа") != project_name_key("Приемна грижа плюс")


def test_title_counts_and_empty_text() -> None:
    assert found("", title="Старт на проект „Топла храна“") == [(None, "Топла храна")]
    assert found("") == []


def test_a_period_of_an_abbreviation_inside_a_title_is_not_a_sentence_end() -> None:
    text = "по проект BG-RRP-6.004-0012-C01 „Изграждане на ЦНСТ за младежи с увреждания в гр. Ихтиман“. Центърът е нов."
    assert [(p.code, p.name) for p in find_projects(text)] == [
        ("BG-RRP-6.004-0012-C01", "Изграждане на ЦНСТ за младежи с увреждания в гр. Ихтиман")
    ]


def test_a_list_of_titles_interleaved_with_their_owners() -> None:
    text = (
        "Сред одобрените проекти са „Достъпна среда за всички“ на Сдружение „Шанс за независим живот“ "
        'от Пазарджик, "Работилница на уменията" на Фондация „Светлина“ от Смолян и «Заедно в спорта» '
        "на Спортен клуб „Струма“ от Кюстендил."
    )
    assert [p.name for p in find_projects(text)] == [
        "Достъпна среда за всички",
        "Работилница на уменията",
        "Заедно в спорта",
    ]


def test_an_operational_programme_after_projects_is_not_a_project() -> None:
    assert (
        find_projects(
            "АСП отчете резултатите от проектите по ОП „Развитие на човешките ресурси“ 2014–2020."
        )
        == []
    )
