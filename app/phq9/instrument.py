"""The PHQ-9 exactly as published (standard two-week wording; items are not reworded), with
its LOINC codes (checked against loinc.org answer list LL358-3 and panel 44249-1).

PHQ-9 © Pfizer Inc.; developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke
and colleagues; no permission required to reproduce, translate, display or distribute.
"""

from dataclasses import dataclass

PANEL_LOINC = "44249-1"
TOTAL_LOINC = "44261-6"
STEM = ("Over the last 2 weeks, how often have you been bothered by any of the following "
        "problems?")


@dataclass(frozen=True)
class Item:
    number: int
    loinc: str
    text: str


ITEMS: tuple[Item, ...] = (
    Item(1, "44250-9", "Little interest or pleasure in doing things"),
    Item(2, "44255-8", "Feeling down, depressed, or hopeless"),
    Item(3, "44259-0", "Trouble falling or staying asleep, or sleeping too much"),
    Item(4, "44254-1", "Feeling tired or having little energy"),
    Item(5, "44251-7", "Poor appetite or overeating"),
    Item(6, "44258-2", "Feeling bad about yourself \u2014 or that you are a failure or have let "
                       "yourself or your family down"),
    Item(7, "44252-5", "Trouble concentrating on things, such as reading the newspaper or "
                       "watching television"),
    Item(8, "44253-3", "Moving or speaking so slowly that other people could have noticed? Or "
                       "the opposite \u2014 being so fidgety or restless that you have been "
                       "moving around a lot more than usual"),
    Item(9, "44260-8", "Thoughts that you would be better off dead or of hurting yourself in "
                       "some way"),
)
SAFETY_ITEM = 9  # "Thoughts that you would be better off dead or of hurting yourself"


def safety_item_score(answers: list[int]) -> int:
    """The score of item 9; whether it is a safety answer is ``flags.rules.is_safety_answer``."""
    return answers[SAFETY_ITEM - 1]


@dataclass(frozen=True)
class Answer:
    score: int
    text: str
    loinc: str


ANSWERS: tuple[Answer, ...] = (
    Answer(0, "Not at all", "LA6568-5"),
    Answer(1, "Several days", "LA6569-3"),
    Answer(2, "More than half the days", "LA6570-1"),
    Answer(3, "Nearly every day", "LA6571-9"),
)

# The validated US Spanish version, as Pfizer publishes it with the English one ("Cuestionario
# sobre la salud del paciente-9 (PHQ-9)"; "Elaborado por los doctores Robert L. Spitzer, Janet
# B.W. Williams, Kurt Kroenke y colegas, mediante una subvención educativa otorgada por Pfizer
# Inc."), word for word: kept here beside the English and not in the message catalog, so that
# no translator rewords an item (issue 19, point 3).
SPANISH_STEM = ("Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a "
                "los siguientes problemas?")
SPANISH_ITEMS: tuple[str, ...] = (
    "Poco interés o placer en hacer cosas",
    "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
    "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
    "Se ha sentido cansado(a) o con poca energía",
    "Sin apetito o ha comido en exceso",
    "Se ha sentido mal con usted mismo(a) – o que es un fracaso o que ha quedado mal con "
    "usted mismo(a) o con su familia",
    "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el "
    "periódico o ver la televisión",
    "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo "
    "contrario – muy inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo "
    "normal",
    "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
)
SPANISH_ANSWERS: tuple[str, ...] = ("Ningún día", "Varios días", "Más de la mitad de los días",
                                    "Casi todos los días")


def _spanish() -> bool:
    from app.i18n import language

    return language() == "es"


def stem() -> str:
    """The question's stem in the language of this request."""
    return SPANISH_STEM if _spanish() else STEM


def item_text(item: Item) -> str:
    return SPANISH_ITEMS[item.number - 1] if _spanish() else item.text


def answer_text(answer: Answer) -> str:
    return SPANISH_ANSWERS[answer.score] if _spanish() else answer.text


MAX_TOTAL = 27
REMISSION_BELOW = 5
RESPONSE_DROP = 0.5


def total(answers: list[int]) -> int:
    return sum(answers)


def response(baseline_total: int, current_total: int) -> bool:
    """Down 50% or more from the series baseline."""
    return baseline_total > 0 and current_total <= baseline_total * (1 - RESPONSE_DROP)


def remission(current_total: int) -> bool:
    return current_total < REMISSION_BELOW


def severity(current_total: int) -> str:
    for upper, label in ((4, "minimal"), (9, "mild"), (14, "moderate"),
                         (19, "moderately severe")):
        if current_total <= upper:
            return label
    return "severe"
