"""The things a child can pick, grouped into themes: one list for data, generators and the app.

A child taps a theme ("Animal") and then a thing ("Panda"): two taps, big picture cards. The
generator is told the thing (or only the theme, when the child picks "another animal"), so a
panda comes back black and white and the sun yellow. Every data source is sorted into these
labels here, by words in its own names:

* OpenMoji and Twemoji: the emoji's English annotation (OpenMoji's metadata, CC BY-SA 4.0);
* Tux Paint stamps and OpenClipart: the file's folder and name (English, some Italian) and a
  stamp's description.

A picture no thing claims keeps its theme as its label (``animal__…``), so it still teaches
"some animal". The labels a generator is trained on are all the things plus all the themes
(:func:`labels`); the model card lists them with their theme, and the app reads that list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True)
class Theme:
    """A group of things, the first tap on the canvas."""

    slug: str
    label_en: str
    label_ko: str
    emoji: str

    @property
    def theme(self) -> str:
        return self.slug  # a theme is its own theme: "another animal"

    def card_entry(self) -> dict[str, str]:
        """The theme as a card lists it: a label of its own ("another animal")."""
        return _card_entry(self)


@dataclass(frozen=True)
class Thing:
    """Something a child draws, the second tap; ``words`` find its pictures in each source."""

    slug: str
    label_en: str
    label_ko: str
    emoji: str
    theme: str
    words: tuple[str, ...]
    # Names that contain one of the words but are something else ("hot dog", "sun glasses").
    not_words: tuple[str, ...] = field(default_factory=tuple)
    colours: str = ""  # what a child expects, for the model card and the plausibility check

    @property
    def pattern(self) -> re.Pattern[str]:
        return _word_pattern(self.words)

    @property
    def not_pattern(self) -> re.Pattern[str] | None:
        return _word_pattern(self.not_words) if self.not_words else None

    def card_entry(self) -> dict[str, str]:
        """The thing as the model card and the REST categories list it."""
        return _card_entry(self)


def _card_entry(label: Theme | Thing) -> dict[str, str]:
    return {
        "slug": label.slug,
        "label_en": label.label_en,
        "label_ko": label.label_ko,
        "emoji": label.emoji,
        "theme": label.theme,
    }


@cache
def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # Whole words, also inside file names ("cat_face", "red-apple", "gatto01").
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"[\s_-]+") for w in words)
    return re.compile(rf"(?<![a-z])(?:{alternatives})(?:e?s)?(?![a-z])", re.IGNORECASE)


THEMES: tuple[Theme, ...] = (
    Theme("face", "Face", "얼굴", "😀"),
    Theme("animal", "Animal", "동물", "🐶"),
    Theme("food", "Food", "음식", "🍎"),
    Theme("vehicle", "Vehicle", "탈것", "🚗"),
    Theme("fashion", "Fashion", "패션", "👗"),
    Theme("space", "Space & sky", "하늘과 우주", "🚀"),
    Theme("plant", "Plant", "식물", "🌻"),
    Theme("play", "Play & treasure", "놀이와 보물", "🎮"),
)

# Order matters: the first thing whose words match a name claims the picture.
# fmt: off
THINGS: tuple[Thing, ...] = (
    # animals first: "cat face" is a cat before it is a face
    Thing("panda", "Panda", "판다", "🐼", "animal",
          words=("panda",),
          colours="black and white"),
    Thing("cat", "Cat", "고양이", "🐱", "animal",
          words=("cat", "kitten", "kitty", "gatto", "gatti"),
          not_words=("cat fish", "catfish", "caterpillar"),
          colours="orange, grey, black or white fur"),
    Thing("dog", "Dog", "강아지", "🐶", "animal",
          words=("dog", "puppy", "poodle", "cane", "cani"),
          not_words=("hot dog", "hotdog", "person with dog", "white cane", "candy cane"),
          colours="brown, white or golden fur"),
    Thing("rabbit", "Rabbit", "토끼", "🐰", "animal",
          words=("rabbit", "bunny", "hare", "coniglio"),
          not_words=("bunny ears",),
          colours="white or grey with pink ears"),
    Thing("bear", "Bear", "곰", "🐻", "animal",
          words=("bear", "teddy", "orso"),
          not_words=("panda",),
          colours="brown fur"),
    Thing("fish", "Fish", "물고기", "🐟", "animal",
          words=("fish", "goldfish", "blowfish", "tropical fish", "clownfish", "pesce", "pesci"),
          not_words=("fish cake", "fishing", "starfish", "jellyfish"),
          colours="orange, blue or yellow"),
    Thing("bird", "Bird", "새", "🐦", "animal",
          words=("bird", "chick", "chicken", "penguin", "parrot", "owl", "duck", "dove", "eagle",
                 "swan", "flamingo", "peacock", "robin", "sparrow", "pinguino", "uccello"),
          not_words=("bird house",),
          colours="red, blue or yellow feathers"),
    Thing("butterfly", "Butterfly", "나비", "🦋", "animal",
          words=("butterfly", "farfalla"),
          colours="bright coloured wings"),
    # food
    Thing("apple", "Apple", "사과", "🍎", "food",
          words=("apple", "mela"),
          not_words=("pineapple", "apple logo"),
          colours="red or green"),
    Thing("banana", "Banana", "바나나", "🍌", "food",
          words=("banana",),
          colours="yellow"),
    Thing("strawberry", "Strawberry", "딸기", "🍓", "food",
          words=("strawberry", "fragola"),
          colours="red with green leaves"),
    Thing("cake", "Cake", "케이크", "🎂", "food",
          words=("cake", "cupcake", "birthday cake", "shortcake", "torta"),
          not_words=("fish cake", "moon cake", "pancake"),
          colours="cream, pink and chocolate"),
    Thing("ice_cream", "Ice cream", "아이스크림", "🍦", "food",
          words=("ice cream", "icecream", "soft ice", "gelato", "ice lolly", "popsicle"),
          colours="pink, white or brown on a tan cone"),
    # vehicles
    Thing("car", "Car", "자동차", "🚗", "vehicle",
          words=("car", "automobile", "taxi", "racing car", "police car", "sport utility vehicle",
                 "auto", "macchina", "jeep", "convertible"),
          not_words=("railway car", "tram car", "car light", "cable car", "card", "carrot"),
          colours="red, blue or yellow body, black wheels"),
    Thing("bus", "Bus", "버스", "🚌", "vehicle",
          words=("bus", "trolleybus", "school bus"),
          not_words=("bus stop",),
          colours="yellow or red"),
    Thing("train", "Train", "기차", "🚂", "vehicle",
          words=("train", "locomotive", "tram", "railway car", "tram car", "treno"),
          not_words=("aerial tramway", "training"),
          colours="red, green or blue"),
    Thing("airplane", "Airplane", "비행기", "✈️", "vehicle",
          words=("airplane", "aeroplane", "plane", "jet", "aereo", "airliner"),
          not_words=("planet",),
          colours="white or grey with coloured stripes"),
    Thing("boat", "Boat", "배", "⛵", "vehicle",
          words=("boat", "ship", "sailboat", "canoe", "ferry", "speedboat", "yacht", "barca",
                 "nave"),
          not_words=("person rowing boat", "man rowing boat", "woman rowing boat", "spaceship",
                     "rocket ship"),
          colours="white sails, red or brown hull"),
    # fashion
    Thing("handbag", "Handbag", "가방", "👜", "fashion",
          words=("handbag", "purse", "clutch bag", "backpack", "bag", "borsa"),
          not_words=("bags under eyes", "money bag", "first aid bag", "tea bag", "sleeping bag"),
          colours="red, pink or brown"),
    Thing("shoe", "Shoe", "신발", "👟", "fashion",
          words=("shoe", "boot", "sneaker", "sandal", "ballet shoes", "scarpa", "scarpe"),
          not_words=("boot button",),
          colours="any bright colour, dark sole"),
    Thing("shirt", "Clothes", "옷", "👕", "fashion",
          words=("t-shirt", "shirt", "dress", "kimono", "coat", "jacket", "sweater", "skirt",
                 "trousers", "jeans", "sock", "glove", "scarf"),
          not_words=("stick figure with dress", "boxing glove"),
          colours="any bright colour"),
    Thing("hat", "Hat", "모자", "👒", "fashion",
          words=("hat", "top hat", "cap", "billed cap", "crown", "cappello"),
          not_words=("keycap", "person with crown", "cowboy hat face", "capsule"),
          colours="any colour"),
    # space & sky
    Thing("planet", "Planet & galaxy", "행성과 은하", "🪐", "space",
          words=("planet", "ringed planet", "globe", "earth", "milky way", "galaxy", "comet",
                 "saturn", "jupiter", "mars", "venus", "mercury", "neptune", "uranus", "pluto",
                 "nebula", "pianeta"),
          not_words=("globe with meridians", "federation of planets"),
          colours="blue, purple and orange"),
    Thing("sun", "Sun", "해", "☀️", "space",
          words=("sun", "sun with face", "sole"),
          not_words=("sunflower", "sun glasses", "sunglasses", "sunset", "sunrise", "sunday",
                     "shoe"),
          colours="yellow with orange rays"),
    Thing("moon", "Moon", "달", "🌙", "space",
          words=("moon", "crescent", "crescent moon", "full moon", "luna"),
          not_words=("moon cake",),
          colours="pale yellow"),
    Thing("star", "Star", "별", "⭐", "space",
          words=("star", "glowing star", "shooting star", "stella"),
          not_words=("star-struck", "starfish", "star of david", "star trek", "black star",
                     "half black", "pointed star", "dotted", "night with stars"),
          colours="yellow"),
    Thing("rocket", "Rocket", "로켓", "🚀", "space",
          words=("rocket", "space shuttle", "razzo"),
          colours="white and red with orange flames"),
    Thing("cloud", "Cloud & rainbow", "구름과 무지개", "🌈", "space",
          words=("cloud", "rainbow", "nuvola"),
          not_words=("sun behind", "fight cloud", "flag"),
          colours="white or grey; rainbow colours"),
    # plants
    Thing("tree", "Tree", "나무", "🌳", "plant",
          words=("tree", "evergreen tree", "deciduous tree", "palm tree", "christmas tree", "pine",
                 "oak", "albero"),
          not_words=("palm down", "palm up", "palms up", "facepalm", "pineapple", "leafless tree"),
          colours="green crown on a brown trunk"),
    Thing("flower", "Flower", "꽃", "🌷", "plant",
          words=("flower", "rose", "tulip", "sunflower", "blossom", "hibiscus", "daisy",
                 "cherry blossom", "fiore", "fiori", "lily", "poppy"),
          not_words=("wilted flower", "flower playing cards", "rosette"),
          colours="red, pink or yellow on green"),
    # play & treasure
    Thing("house", "House", "집", "🏠", "play",
          words=("house", "house with garden", "home", "casa", "cottage", "hut"),
          not_words=("derelict house", "coffee house", "home button", "bird house", "greenhouse"),
          colours="red roof, white or yellow walls"),
    Thing("gemstone", "Gemstone", "보석", "💎", "play",
          words=("gem", "gem stone", "gemstone", "diamond", "jewel", "ruby", "emerald", "crystal",
                 "diamante"),
          not_words=("diamond suit", "crystal ball", "orange diamond", "blue diamond",
                     "diamond with a dot"),
          colours="blue, red or purple, shiny"),
    Thing("game_character", "Game character", "게임 캐릭터", "👾", "play",
          words=("alien monster", "alien", "robot", "ghost", "ninja", "superhero", "mage", "fairy",
                 "monster", "dragon", "wizard", "knight"),
          colours="bright and bold"),
    Thing("ball", "Ball", "공", "⚽", "play",
          words=("ball", "soccer ball", "football", "basketball", "baseball", "volleyball",
                 "beach ball", "tennis", "palla"),
          not_words=("crystal ball", "ball of yarn", "balloon", "ballet", "eight ball",
                     "bouncing ball", "confetti ball"),
          colours="bright colours"),
    # faces last: "cat face" above is a cat
    Thing("cartoon_face", "Cartoon face", "만화 얼굴", "🧑", "face",
          words=("avatar", "avatars", "cartoon face", "cartoon person"),
          colours="skin tones, coloured hair and clothes"),
    Thing("smiley", "Smiley face", "웃는 얼굴", "😀", "face",
          words=("face", "smiley", "smile", "emoticon"),
          colours="yellow"),
)
# fmt: on

BY_SLUG: dict[str, Thing] = {t.slug: t for t in THINGS}
THEME_BY_SLUG: dict[str, Theme] = {t.slug: t for t in THEMES}


def labels() -> tuple[str, ...]:
    """Every label a generator is trained on: the things, then the themes."""
    return tuple(t.slug for t in THINGS) + tuple(t.slug for t in THEMES)


def theme_of(label: str) -> str | None:
    """The theme a label belongs to (a theme is its own), or None for an unknown label."""
    if label in THEME_BY_SLUG:
        return label
    thing = BY_SLUG.get(label)
    return thing.theme if thing else None


def thing_for(text: str, *, theme: str | None = None) -> str | None:
    """The first thing whose words name ``text`` (an annotation, a file path, a description).

    A picture of a theme may be claimed by a thing of any theme (a cat face emoji is a cat, the
    gem stone emoji sits among clothes); one of no theme (``None``: a folder of buildings or
    sports) only by a ``play`` thing.
    """
    for thing in THINGS:
        if theme is None and thing.theme != "play":
            continue
        if (not_pattern := thing.not_pattern) and not_pattern.search(text):
            continue
        if thing.pattern.search(text):
            return thing.slug
    return None


def label_for(text: str, theme: str | None) -> str | None:
    """A picture's label: its thing when one is named in ``text``, else its theme, except that
    ``play`` (houses, gems, games, balls: broad folders) keeps only pictures a thing claims."""
    found = thing_for(text, theme=theme)
    if found is not None or theme == "play":
        return found
    return theme


def card_entries(used: set[str] | None = None) -> list[dict[str, str]]:
    """Card entries of the things (and then the themes) in ``used``, or of all of them."""
    entries = [t.card_entry() for t in THINGS if used is None or t.slug in used]
    for theme in THEMES:
        if used is None or theme.slug in used:
            entries.append(theme.card_entry())
    return entries
