"""Words people write instead of pressing a button, in every language we serve.

The labels themselves (from the catalogs, all languages) always match; these are the
extra ways of saying the same thing. Spelling variants that `normalize` already
folds (ё/е, Kazakh letters typed with a Russian keyboard, case, punctuation) need no
entry of their own.
"""

from __future__ import annotations

# Choice label key -> synonyms. A synonym must not also be a global intent word
# (intents are checked first, so it could never be reached); tests check this.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "lang.ru": ("русский", "рус", "по-русски", "на русском", "орысша", "russian", "ru", "rus"),
    "lang.kk": (
        "казахский", "по-казахски", "на казахском", "қазақ", "қазақ тілі", "kazakh",
        "kazakhsha", "kk", "kz",
    ),
    "lang.en": ("английский", "по-английски", "ағылшынша", "ағылшын", "english", "en", "eng"),
    "choice.yes": (
        "yes", "y", "yeah", "yep", "ok", "okay", "agree", "i agree",
        "да", "ага", "конечно", "согласен", "согласна", "da",
        "иә", "ия", "иа", "ие", "келісемін", "ia",
    ),
    "choice.no": (
        "no", "n", "nope", "i do not agree", "i don't agree",
        "нет", "не согласен", "не согласна", "net",
        "жоқ", "келіспеймін", "joq", "jok", "zhok",
    ),
    "choice.mood_1": ("very bad", "terrible", "очень плохо", "ужасно", "өте нашар", "өте жаман"),
    "choice.mood_2": ("bad", "плохо", "нашар", "жаман"),
    "choice.mood_3": ("so-so", "so so", "normal", "нормально", "так себе", "средне", "орташа"),
    "choice.mood_4": ("good", "хорошо", "жақсы"),
    "choice.mood_5": (
        "very good", "great", "excellent", "очень хорошо", "отлично", "өте жақсы", "керемет",
        "тамаша",
    ),
    "choice.work": ("job", "a job", "employment", "работу", "трудоустройство", "жұмыс табу"),
    "choice.housing": (
        "home", "accommodation", "жилье", "жилья", "квартира", "жильё", "үй", "тұрғын үй",
    ),
    "choice.counselling": (
        "counseling", "counsellor", "psychologist", "психолог", "консультант", "кеңес алу",
        "кеңес",
    ),
    "choice.officer": (
        "officer", "my officer", "куратор", "куратору", "с куратором", "куратормен",
        "кураторыма", "кураторым",
    ),
    "choice.all_good": (
        "ok", "okay", "fine", "nothing", "no", "all ok", "все хорошо", "все в порядке",
        "хорошо", "нормально", "ничего", "нет", "не нужно", "ничего не нужно",
        "бәрі дұрыс", "жақсы", "жоқ", "керек емес",
    ),
}

# Global intents: the whole message (normalised) must be one of these.
INTENT_WORDS: dict[str, tuple[str, ...]] = {
    "help": ("help", "/help", "помощь", "справка", "көмек"),
    "menu": ("menu", "/menu", "main menu", "start", "/start", "меню", "мәзір", "бастау"),
    "language": ("language", "/language", "lang", "язык", "сменить язык", "тіл", "til"),
    "privacy": (
        "privacy", "/privacy", "consent", "приватность", "конфиденциальность", "согласие",
        "құпиялық", "құпиялылық", "келісім",
    ),
}

# Menu entries that do exactly what the intent of the same words does, so a label
# equal to an intent word is harmless there.
INTENT_CHOICES: dict[str, str] = {
    "choice.help": "help",
    "choice.language": "language",
    "choice.privacy": "privacy",
}
