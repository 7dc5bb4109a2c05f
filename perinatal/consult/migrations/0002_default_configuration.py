"""The eligibility checklist and interacting-drug list a new clinic starts with.

Every row is marked ``is_default``: the software shows it as "default — review before use" until
the medical director has read it and unticked the flag. Items come from reference/clinical.md
§5.3-5.4 and §7 (source keys in square brackets); where the reference gives no number (blood
pressure limits, a benzodiazepine dose) the item says so and leaves it to the director. Rows the
reference does not source say "default to review" in their note.
"""

from django.db import migrations

REVIEW = "Default to review: approve, reword or switch off before use."
NOT_IN_REFERENCE = (
    "Default to review: not sourced in the clinic's clinical reference; the medical director "
    "decides whether and how to flag it."
)

CRITERIA = [
    (
        "hard_stop",
        "Current psychosis or mania",
        "The strongest evidence for ketamine in depression is for episodes without psychotic "
        "features; current psychosis or mania excluded patients from an academic ketamine trial.",
        "[SAN17-SCRIBD] [PMC-RCT-EXCL] reference/clinical.md §5.1, §5.3",
    ),
    (
        "hard_stop",
        "Uncontrolled hypertension (limit set by the clinic: edit this text to state it)",
        "The ketamine label contraindicates it where a significant rise in blood pressure would "
        "be a serious hazard. Blood-pressure limits often quoted for ketamine clinics are not "
        "verified in the clinic's reference: the medical director writes the clinic's own limit "
        "into this item.",
        "[DM-KET] [PMC-RCT-EXCL] reference/clinical.md §5.3, §5.4",
    ),
    (
        "hard_stop",
        "Significant arrhythmia or unstable cerebrovascular disease",
        "Exclusions in an academic ketamine trial; the label warns of hemodynamic instability.",
        "[PMC-RCT-EXCL] [DM-KET] reference/clinical.md §5.3",
    ),
    (
        "hard_stop",
        "Acute intoxication or withdrawal, or active substance misuse (including more than rare "
        "ketamine, PCP or opioid use)",
        "Exclusions in an academic ketamine trial; the consensus statement asks for particular "
        "attention to substance-use history.",
        "[PMC-RCT-EXCL] [SAN17-SCRIBD] reference/clinical.md §5.1, §5.3",
    ),
    (
        "hard_stop",
        "Takes theophylline or aminophylline",
        "Label drug interaction: lowers the seizure threshold; do not give together.",
        "[FDAREP-KET] reference/clinical.md §5.3",
    ),
    (
        "hard_stop",
        "Pregnant (not yet delivered)",
        "The label says use in pregnancy is not recommended because safe use has not been "
        "established. A hard stop until she has delivered.",
        "[PFZ-KET-POP] reference/clinical.md §5.3",
    ),
    (
        "caution",
        "Benzodiazepine dose above the clinic's limit (lorazepam-equivalent mg a day: the "
        "medical director sets it in this text)",
        "Label: profound sedation and respiratory depression with benzodiazepines. One academic "
        "trial excluded doses above 3 mg/day lorazepam-equivalent; that is one trial's rule, not a "
        "standard.",
        "[FDAREP-KET] [PMC-RCT-EXCL] reference/clinical.md §5.3",
    ),
    (
        "caution",
        "History of bipolar disorder",
        "Psychosis history deserves particular attention before treatment; record how the risk "
        "of a manic switch will be managed.",
        "[SAN17-SCRIBD] reference/clinical.md §5.1",
    ),
    (
        "caution",
        "History of pre-eclampsia or eclampsia, or high blood pressure since delivery",
        "In a chart review of ketamine infusions every patient with prior hypertension had a "
        "blood-pressure surge; plan blood-pressure monitoring and involve her OB.",
        "[YALE24] reference/clinical.md §5.4",
    ),
    (
        "caution",
        "Breastfeeding",
        "Little ketamine reaches breast milk (relative infant dose under 1% in small studies); "
        "record a lactation plan and what to watch for in the baby.",
        "[WOLF23] [MAJD23] [LM-KET] reference/clinical.md §7.1",
    ),
    (
        "caution",
        "Known or suspected sleep apnea",
        "A draft regulator standard asks for sleep-apnea screening with a validated tool (e.g. "
        "STOP-BANG) before ketamine.",
        "[KATA-BC] reference/clinical.md §5.3",
    ),
    (
        "caution",
        "No escort for the treatment day",
        "No driving on the treatment day; she needs someone to take her home. Confirm an escort "
        "(and childcare) before booking the infusion.",
        "[SPR-SEC] reference/clinical.md §5.4",
    ),
]

DRUGS = [
    (
        "Theophylline and aminophylline",
        "hard_stop",
        ["theophylline", "aminophylline", "Theo-24", "Theochron", "Uniphyl", "Elixophyllin"],
        "Lowers the seizure threshold with ketamine: the label says do not give together.",
        "[FDAREP-KET] reference/clinical.md §5.3",
        REVIEW,
    ),
    (
        "Benzodiazepines",
        "caution",
        [
            "benzodiazepine",
            "benzodiazepines",
            "alprazolam",
            "Xanax",
            "lorazepam",
            "Ativan",
            "clonazepam",
            "Klonopin",
            "diazepam",
            "Valium",
            "temazepam",
            "Restoril",
            "chlordiazepoxide",
            "Librium",
            "oxazepam",
            "clorazepate",
            "Tranxene",
            "triazolam",
            "Halcion",
            "midazolam",
        ],
        "Profound sedation and respiratory depression with ketamine (label). Note the daily "
        "dose: the checklist has a benzodiazepine-dose item.",
        "[FDAREP-KET] reference/clinical.md §5.3",
        REVIEW,
    ),
    (
        "Opioids",
        "caution",
        [
            "opioid",
            "oxycodone",
            "OxyContin",
            "Percocet",
            "hydrocodone",
            "Vicodin",
            "Norco",
            "morphine",
            "hydromorphone",
            "Dilaudid",
            "fentanyl",
            "codeine",
            "tramadol",
            "Ultram",
            "tapentadol",
            "Nucynta",
            "methadone",
            "buprenorphine",
            "Suboxone",
            "Subutex",
        ],
        "Profound sedation and respiratory depression with ketamine; opioids may prolong "
        "recovery (label).",
        "[FDAREP-KET] reference/clinical.md §5.3",
        REVIEW,
    ),
    (
        "Other CNS depressants (sleep medicines, barbiturates, gabapentinoids)",
        "caution",
        [
            "zolpidem",
            "Ambien",
            "eszopiclone",
            "Lunesta",
            "zaleplon",
            "zopiclone",
            "phenobarbital",
            "butalbital",
            "Fioricet",
            "gabapentin",
            "Neurontin",
            "pregabalin",
            "Lyrica",
        ],
        "CNS depressants add to ketamine's sedation and respiratory depression (label).",
        "[FDAREP-KET] reference/clinical.md §5.3",
        REVIEW + " Which drugs count as CNS depressants here is the software's default list.",
    ),
    (
        "Sympathomimetics and stimulants",
        "caution",
        [
            "amphetamine",
            "dextroamphetamine",
            "lisdexamfetamine",
            "methamphetamine",
            "methylphenidate",
            "dexmethylphenidate",
            "Adderall",
            "Vyvanse",
            "Ritalin",
            "Concerta",
            "Focalin",
            "Dexedrine",
            "pseudoephedrine",
            "Sudafed",
            "phenylephrine",
            "ephedrine",
        ],
        "May add to ketamine's rise in blood pressure and heart rate: monitor vital signs "
        "(label).",
        "[FDAREP-KET] reference/clinical.md §5.3",
        REVIEW + " Which drugs count as sympathomimetics here is the software's default list.",
    ),
    (
        "Vasopressin",
        "caution",
        ["vasopressin", "Vasostrict"],
        "Monitor vital signs when given with ketamine (label).",
        "[FDAREP-KET] reference/clinical.md §5.3",
        REVIEW,
    ),
    (
        "Lamotrigine",
        "caution",
        ["lamotrigine", "Lamictal"],
        "Named by the clinic as an interacting drug; the interaction is not described in the "
        "clinic's reference. Review with the prescriber.",
        "",
        NOT_IN_REFERENCE,
    ),
    (
        "MAO inhibitors",
        "caution",
        [
            "MAOI",
            "phenelzine",
            "Nardil",
            "tranylcypromine",
            "Parnate",
            "isocarboxazid",
            "Marplan",
            "selegiline",
            "Emsam",
        ],
        "Named by the clinic as an interacting drug (blood pressure); the interaction is not "
        "described in the clinic's reference. Review with the prescriber.",
        "",
        NOT_IN_REFERENCE,
    ),
]


def add_defaults(apps, schema_editor):
    Criterion = apps.get_model("consult", "EligibilityCriterion")
    Drug = apps.get_model("consult", "InteractingDrug")
    for order, (kind, text, explanation, source) in enumerate(CRITERIA, start=1):
        Criterion.objects.get_or_create(
            text=text,
            defaults={
                "kind": kind,
                "explanation": explanation,
                "source": source,
                "order": order * 10,
                "is_default": True,
            },
        )
    for order, (name, severity, terms, interaction, source, note) in enumerate(DRUGS, start=1):
        Drug.objects.get_or_create(
            name=name,
            defaults={
                "severity": severity,
                "match_terms": "\n".join(terms),
                "interaction": interaction,
                "source": source,
                "note": note,
                "order": order * 10,
                "is_default": True,
            },
        )


def remove_untouched_defaults(apps, schema_editor):
    apps.get_model("consult", "EligibilityCriterion").objects.filter(is_default=True).delete()
    apps.get_model("consult", "InteractingDrug").objects.filter(is_default=True).delete()


class Migration(migrations.Migration):
    dependencies = [("consult", "0001_consultation_and_eligibility")]

    operations = [migrations.RunPython(add_defaults, remove_untouched_defaults)]
