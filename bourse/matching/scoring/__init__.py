"""How well two listings match: pure functions, no database.

A suggestion for a listing is a published listing of the opposite kind, from another company,
in the same category or the same parent category, whose distance is within the larger of the two
radii (`is_candidate`). Its score in [0, 1] is a weighted sum of five parts, each in [0, 1],
times the requirements factor and the feedback factor (feedback_factor: what the company
dismissed):

- category:      1.0 for the exact category, 0.5 for the same parent category ("family"),
- distance:      1 - d / R, R being the larger of the two radii (1 at the same place, 0 at R),
- availability:  the share of the need's window that the offer's window covers, from today
                 on (the days of a need already past do not count); an open-ended need counts
                 its first HORIZON_DAYS days, a need without any window starts today; a
                 missing bound of the offer is open (no window: always available),
- quantity:      how much of the need the offer covers (offer / need, capped at 1), when both
                 give a quantity in the same unit; otherwise neutral (0.5),
- text:          cosine similarity of the two sets of words of title + description, after
                 French-aware normalisation (lower case, no accents, no stop words, light
                 stemming), with the concepts of the trade's vocabulary (`Lexicon`) and
                 without negated words ("sans pont roulant"); the common words are reported,
- requirements:  the factor of the checks of what the need requires against what the offer
                 has (bourse.matching.requirements: "capacité suffisante", "CACES 3 requis :
                 non") and of contradictions (one says what the other negates).

The weights live in `WEIGHTS`, and nowhere else.

    features  Features (what scoring knows of a listing), Scored (what it returns), WEIGHTS
    parts     eligibility, the category, distance, availability and quantity parts, the bounds
    text      normalisation, stemming, the trade's vocabulary, negation, text similarity
    score     score_pair, the requirements and feedback factors, the reasons in French

The names below are the package's interface; other modules and the tests import them from here.
"""

from .features import CATEGORY_EXACT as CATEGORY_EXACT
from .features import CATEGORY_FAMILY as CATEGORY_FAMILY
from .features import HORIZON_DAYS as HORIZON_DAYS
from .features import PARTS as PARTS
from .features import QUANTITY_NEUTRAL as QUANTITY_NEUTRAL
from .features import WEIGHTS as WEIGHTS
from .features import Features as Features
from .features import Scored as Scored
from .parts import CheapScorer as CheapScorer
from .parts import availability_part as availability_part
from .parts import category_part as category_part
from .parts import cheap_parts as cheap_parts
from .parts import combine as combine
from .parts import coverage as coverage
from .parts import distance_part as distance_part
from .parts import is_candidate as is_candidate
from .parts import max_radius as max_radius
from .parts import need_window as need_window
from .parts import opposite_kind as opposite_kind
from .parts import parts_dict as parts_dict
from .parts import quantity_part as quantity_part
from .parts import upper_bound as upper_bound
from .score import CHECK_FACTORS as CHECK_FACTORS
from .score import CONTRADICTION_FACTOR as CONTRADICTION_FACTOR
from .score import FEEDBACK_FLOOR as FEEDBACK_FLOOR
from .score import FEEDBACK_FROM as FEEDBACK_FROM
from .score import FEEDBACK_STEP as FEEDBACK_STEP
from .score import MAX_CONTRADICTIONS as MAX_CONTRADICTIONS
from .score import describe as describe
from .score import feedback_factor as feedback_factor
from .score import requirement_checks as requirement_checks
from .score import requirement_factor as requirement_factor
from .score import score_pair as score_pair
from .text import CONCEPT_PREFIX as CONCEPT_PREFIX
from .text import MAX_COMMON_WORDS as MAX_COMMON_WORDS
from .text import MIN_ROOT as MIN_ROOT
from .text import NEGATION_REACH as NEGATION_REACH
from .text import NEGATORS as NEGATORS
from .text import STOP_WORDS as STOP_WORDS
from .text import SUFFIXES as SUFFIXES
from .text import Analysis as Analysis
from .text import Lexicon as Lexicon
from .text import analyse as analyse
from .text import common_words as common_words
from .text import contradictions as contradictions
from .text import fold as fold
from .text import readable as readable
from .text import stem as stem
from .text import text_part as text_part
from .text import word_stems as word_stems
