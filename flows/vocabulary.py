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
    "choice.skip": (
        "skip", "no", "nothing", "пропустить", "пропуск", "дальше", "нет", "ничего",
        "өткізу", "өткізіп жіберу", "жоқ", "ештеңе",
    ),
    "choice.not_now": (
        "no", "no thanks", "not now", "нет", "не надо", "не сейчас", "не нужно", "жоқ",
        "қазір емес", "керек емес",
    ),
    "choice.interested": (
        "yes", "interested", "i am interested", "да", "интересно", "мне интересно",
        "подходит", "иә", "қызық", "қызықтырады", "маған қызық",
    ),
    "choice.next": (
        "next", "more", "another", "следующая", "следующую", "дальше", "еще", "другая",
        "келесі", "тағы", "басқа",
    ),
    "choice.none_fit": (
        "no", "none", "нет", "ничего не подходит", "никакая", "жоқ", "ешқайсысы",
        "сәйкес келмейді",
    ),
    "choice.field_construction": (
        "стройка", "строительство", "стройке", "builder", "building", "құрылыста",
    ),
    "choice.field_logistics": (
        "склад", "доставка", "грузчик", "водитель", "warehouse", "delivery", "driver",
        "қойма", "жүргізуші",
    ),
    "choice.field_food": (
        "кафе", "повар", "кухня", "ресторан", "еда", "cafe", "cook", "kitchen",
        "restaurant", "асхана", "аспаз", "тамақ",
    ),
    "choice.field_manufacturing": ("завод", "цех", "factory", "зауыт", "цехта"),
    "choice.field_retail": (
        "магазин", "продавец", "продажи", "shop", "store", "sales", "дүкен", "сатушы",
    ),
    "choice.field_agriculture": (
        "сельское хозяйство", "ферма", "село", "farm", "agriculture", "ауыл шаруашылығы",
        "шаруашылық", "ауыл",
    ),
    "choice.field_any": (
        "любая работа", "любое", "все равно", "anything", "any job", "кез келген жұмыс",
        "бәрібір",
    ),
    "choice.tonight": (
        "today", "now", "сегодня", "сейчас", "срочно", "ночью", "бүгін", "қазір", "тез",
    ),
    "choice.this_week": ("на неделе", "неделя", "week", "апта", "осы апта", "бұл аптада"),
    "choice.later": ("потом", "позднее", "кейін", "кейін барып"),
    "choice.theologian": (
        "religious", "imam", "имам", "religion", "религиозный", "религия", "дінтанушы",
        "дін", "теологпен",
    ),
    "choice.psychologist": ("психологу", "психологпен", "psychology"),
    "choice.both": ("обоих", "и то и другое", "оба варианта", "екеуі", "екеуін"),
    "choice.in_person": ("встреча", "face to face", "лично встретиться", "кездесу", "бетпе-бет"),
    "choice.by_phone": ("телефон", "звонок", "позвонить", "phone", "call", "телефон арқылы"),
    "choice.in_chat": ("чат", "переписка", "chat", "text", "чатпен", "жазысу"),
    "choice.will_come": (
        "yes", "i will", "i will be there", "да", "буду", "приду", "иә", "барамын",
        "келемін",
    ),
    "choice.cant_come": (
        "no", "cant", "can't", "cannot", "cannot come", "не приду", "не смогу",
        "не получится", "нет", "жоқ", "келмеймін", "бара алмаймын",
    ),
    "choice.job_counselling": (
        "job adviser", "adviser", "advisor", "career", "консультант", "консультант по работе",
        "кеңесші",
    ),
    "choice.tell_officer": (
        "officer", "my officer", "куратор", "куратору", "с куратором", "кураторға",
        "куратормен", "кураторыма", "кураторым",
    ),
}

# Global intents: the whole message (normalised) must be one of these.
INTENT_WORDS: dict[str, tuple[str, ...]] = {
    # INFO is the SMS carriers' second help keyword (bot/sms_keywords.py).
    "help": ("help", "/help", "помощь", "справка", "көмек", "info", "инфо", "ақпарат"),
    "menu": ("menu", "/menu", "main menu", "меню", "мәзір"),
    "language": ("language", "/language", "lang", "язык", "сменить язык", "тіл", "til"),
    "privacy": (
        "privacy", "/privacy", "consent", "приватность", "конфиденциальность", "согласие",
        "құпиялық", "құпиялылық", "келісім",
    ),
    "officer": (
        "officer", "/officer", "my officer", "talk to my officer", "куратор", "куратору",
        "с куратором", "связаться с куратором", "связь с куратором", "позовите куратора",
        "куратормен", "кураторыма", "кураторым", "кураторыммен сөйлесу",
    ),
    # The SMS channel answers the carriers' opt-out words itself (STOP, START...) before
    # any flow runs; these serve Telegram, and any other channel.
    "stop": (
        "stop", "/stop", "unsubscribe", "стоп", "остановить", "отписаться", "отписка",
        "тоқтат", "тоқтату", "тоқта",
    ),
    "start": (
        "start", "/start", "unstop", "старт", "бастау", "возобновить", "подписаться",
        "жалғастыру",
    ),
}

# Options that do exactly what the intent of the same words does: when the open
# question offers one, the question takes those words (so the answer is recorded).
INTENT_CHOICES: dict[str, str] = {
    "choice.help": "help",
    "choice.language": "language",
    "choice.privacy": "privacy",
    "choice.officer": "officer",
    "choice.tell_officer": "officer",
}
