"""Scoring checked against the published keys, option by option, and by property."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perinatal.screening.instruments import InvalidAnswers, get_instrument

# The published keys, typed in from the reference (not read from the data files under test).
EPDS_KEY = {
    1: [
        ("As much as I always could", 0),
        ("Not quite so much now", 1),
        ("Definitely not so much now", 2),
        ("Not at all", 3),
    ],
    2: [
        ("As much as I ever did", 0),
        ("Rather less than I used to", 1),
        ("Definitely less than I used to", 2),
        ("Hardly at all", 3),
    ],
    3: [
        ("Yes, most of the time", 3),
        ("Yes, some of the time", 2),
        ("Not very often", 1),
        ("No, never", 0),
    ],
    4: [("No, not at all", 0), ("Hardly ever", 1), ("Yes, sometimes", 2), ("Yes, very often", 3)],
    5: [("Yes, quite a lot", 3), ("Yes, sometimes", 2), ("No, not much", 1), ("No, not at all", 0)],
    6: [
        ("Yes, most of the time I haven't been able to cope at all", 3),
        ("Yes, sometimes I haven't been coping as well as usual", 2),
        ("No, most of the time I have coped quite well", 1),
        ("No, I have been coping as well as ever", 0),
    ],
    7: [
        ("Yes, most of the time", 3),
        ("Yes, sometimes", 2),
        ("Not very often", 1),
        ("No, not at all", 0),
    ],
    8: [
        ("Yes, most of the time", 3),
        ("Yes, quite often", 2),
        ("Not very often", 1),
        ("No, not at all", 0),
    ],
    9: [
        ("Yes, most of the time", 3),
        ("Yes, quite often", 2),
        ("Only occasionally", 1),
        ("No, never", 0),
    ],
    10: [("Yes, quite often", 3), ("Sometimes", 2), ("Hardly ever", 1), ("Never", 0)],
}
FREQUENCY = [
    ("Not at all", 0),
    ("Several days", 1),
    ("More than half the days", 2),
    ("Nearly every day", 3),
]
PHQ9_KEY = {
    n: (text, loinc)
    for n, text, loinc in [
        (1, "Little interest or pleasure in doing things", "44250-9"),
        (2, "Feeling down, depressed, or hopeless", "44255-8"),
        (3, "Trouble falling or staying asleep, or sleeping too much", "44259-0"),
        (4, "Feeling tired or having little energy", "44254-1"),
        (5, "Poor appetite or overeating", "44251-7"),
        (
            6,
            "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
            "44258-2",
        ),
        (
            7,
            "Trouble concentrating on things, such as reading the newspaper or watching television",
            "44252-5",
        ),
        (
            8,
            "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual",
            "44253-3",
        ),
        (
            9,
            "Thoughts that you would be better off dead or of hurting yourself in some way",
            "44260-8",
        ),
    ]
}
GAD7_KEY = {
    n: (text, loinc)
    for n, text, loinc in [
        (1, "Feeling nervous, anxious, or on edge", "69725-0"),
        (2, "Not being able to stop or control worrying", "68509-9"),
        (3, "Worrying too much about different things", "69733-4"),
        (4, "Trouble relaxing", "69734-2"),
        (5, "Being so restless that it's hard to sit still", "69735-9"),
        (6, "Becoming easily annoyed or irritable", "69689-8"),
        (7, "Feeling afraid as if something awful might happen", "69736-7"),
    ]
}


def _one_hot(instrument, item_number, position):
    """Answers that score zero everywhere except the given item, which takes ``position``."""
    answers = []
    for item in instrument.items:
        if item.number == item_number:
            answers.append(position)
        else:
            answers.append(next(i for i, o in enumerate(item.options) if o.score == 0))
    return answers


@pytest.mark.parametrize(("item_number", "position"), [(n, p) for n in EPDS_KEY for p in range(4)])
def test_every_epds_option_scores_as_published(item_number, position):
    epds = get_instrument("epds", "en")
    text, expected = EPDS_KEY[item_number][position]
    assert epds.items[item_number - 1].options[position].text == text
    scored = epds.score(_one_hot(epds, item_number, position))
    assert scored.item_scores[item_number - 1] == expected
    assert scored.total == expected
    assert scored.safety_alert == (item_number == 10 and expected > 0)


@pytest.mark.parametrize(
    ("code", "key", "item_number", "position"),
    [("phq9", PHQ9_KEY, n, p) for n in PHQ9_KEY for p in range(4)]
    + [("gad7", GAD7_KEY, n, p) for n in GAD7_KEY for p in range(4)],
)
def test_every_phq9_and_gad7_option_scores_as_published(code, key, item_number, position):
    instrument = get_instrument(code, "en")
    text, loinc = key[item_number]
    item = instrument.items[item_number - 1]
    assert (item.text, item.loinc) == (text, loinc)
    assert [(o.text, o.score) for o in item.options] == FREQUENCY
    scored = instrument.score(_one_hot(instrument, item_number, position))
    assert scored.total == FREQUENCY[position][1]
    assert scored.safety_alert == (code == "phq9" and item_number == 9 and position > 0)


def test_instruments_carry_codes_citation_and_licence():
    epds, phq9, gad7 = (get_instrument(c, "en") for c in ("epds", "phq9", "gad7"))
    assert (len(epds.items), epds.max_total, epds.loinc_panel) == (10, 30, "71354-5")
    assert (len(phq9.items), phq9.max_total, phq9.loinc_panel, phq9.loinc_total) == (
        9,
        27,
        "44249-1",
        "44261-6",
    )
    assert (len(gad7.items), gad7.max_total, gad7.loinc_panel, gad7.loinc_total) == (
        7,
        21,
        "69737-5",
        "70274-6",
    )
    assert "Cox JL, Holden JM, Sagovsky R" in epds.citation and "1987;150:782-786" in epds.citation
    assert "No permission required" in phq9.licence
    assert [i.number for i in epds.safety_items] == [10]
    assert [i.number for i in phq9.safety_items] == [9]
    assert gad7.safety_items == ()


@pytest.mark.parametrize(
    ("code", "total", "band"),
    [
        ("epds", 9, "fewer"),
        ("epds", 10, "some"),
        ("epds", 12, "some"),
        ("epds", 13, "many"),
        ("phq9", 4, "minimal"),
        ("phq9", 5, "mild"),
        ("phq9", 10, "moderate"),
        ("phq9", 15, "moderately-severe"),
        ("phq9", 20, "severe"),
        ("gad7", 4, "minimal"),
        ("gad7", 5, "mild"),
        ("gad7", 10, "moderate"),
        ("gad7", 15, "severe"),
    ],
)
def test_bands_change_at_the_published_cut_offs(code, total, band):
    assert get_instrument(code, "en").band_for(total).code == band


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([0] * 9, "10 questions; 9 answers"),
        ([0] * 11, "11 answers"),
        ([0] * 9 + [4], "question 10 must be between 0 and 3"),
        ([0] * 9 + [-1], "question 10 must be between 0 and 3"),
        ([0] * 9 + [True], "whole number"),
        ("0000000000", "must be a list"),
    ],
)
def test_it_refuses_incomplete_or_impossible_answers(answers, message):
    with pytest.raises(InvalidAnswers, match=message):
        get_instrument("epds", "en").score(answers)


def _answers(code):
    instrument = get_instrument(code, "en")
    return st.tuples(*(st.integers(0, len(item.options) - 1) for item in instrument.items))


@given(
    st.sampled_from(["epds", "phq9", "gad7"]).flatmap(
        lambda code: st.tuples(st.just(code), _answers(code))
    )
)
def test_total_is_the_sum_of_item_scores_and_safety_follows_the_self_harm_item(case):
    code, positions = case
    instrument = get_instrument(code, "en")
    scored = instrument.score(list(positions))
    assert scored.total == sum(scored.item_scores)
    assert 0 <= scored.total <= instrument.max_total
    assert scored.band.min <= scored.total <= scored.band.max
    safety_index = {"epds": 9, "phq9": 8}.get(code)
    expected_alert = safety_index is not None and scored.item_scores[safety_index] > 0
    assert scored.safety_alert is expected_alert
    record = scored.answer_record()
    assert [r["score"] for r in record] == list(scored.item_scores)
    assert all(
        r["text"] == instrument.items[i].options[r["position"]].text for i, r in enumerate(record)
    )


@given(_answers("epds"))
def test_epds_self_harm_answer_alerts_whatever_the_total(positions):
    epds = get_instrument("epds", "en")
    answers = list(positions)
    answers[9] = 1  # "Sometimes": score 2
    scored = epds.score(answers)
    assert scored.safety_alert


def test_a_broken_data_file_fails_loudly(tmp_path, settings):
    from django.core.exceptions import ImproperlyConfigured

    from perinatal.screening import instruments

    source = (instruments.SHIPPED_DIR / "gad7.en.toml").read_text()
    (tmp_path / "gad7.en.toml").write_text(source.replace("max = 21", "max = 20"))
    settings.PERINATAL_INSTRUMENT_DIRS = [str(tmp_path)]
    instruments.load_all.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="bands must end at the maximum total, 21"):
            instruments.load_all()
    finally:
        settings.PERINATAL_INSTRUMENT_DIRS = []
        instruments.load_all.cache_clear()
