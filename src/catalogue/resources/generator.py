"""Deterministic generator of realistic French offerings, built from the ScoLOMFR vocabularies.

It feeds the demo (a few thousand resources) and the benchmarks (100,000 or 1,000,000).
Everything that depends on the vocabulary is resolved once, in ``_compile``; producing an
item then only draws from precomputed tuples, so ``generate`` streams at constant memory.

Disciplines: each resource has one main discipline, taken from a curated list of broad
voc-015 concepts found by label (``_FAMILIES``), sometimes plus one narrower concept of it
whose cycle or level matches the resource's levels. Levels: a school stage (école, collège,
lycée) is chosen first, then one to three consecutive levels within it, so a CP resource
never says "terminale".

ScoLOMFR 3.2.0 predates the 2019 lycée reform: it has no concept for "numérique et sciences
informatiques" nor for "sciences numériques et technologie". Those two families are tagged
with the closest concepts it has ("informatique et sciences du numérique (enseignement de
spécialité)" and "informatique"), while titles use the current names.
"""

from __future__ import annotations

import bisect
import random
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import msgspec

from catalogue.resources.models import (
    Duration,
    Identifier,
    IdentifierKind,
    LicenceType,
    OfferDraft,
    ResourceDraft,
    Status,
)
from catalogue.vocabularies.extra import ACCESSIBILITY, LANGUAGES
from catalogue.vocabularies.languages import normalise_language
from catalogue.vocabularies.skos import Concept

RESOURCE_TYPES = "scolomfr-voc-005"
PEDAGOGICAL_TYPES = "scolomfr-voc-010"
DISCIPLINES = "scolomfr-voc-015"
LEVELS = "scolomfr-voc-022"

DASH = "\u2013"  # the en dash French titles use between a title and its level


class GeneratedResource(msgspec.Struct):
    publisher: str
    """The publisher's display name."""
    draft: ResourceDraft
    """A published resource with one to three offers."""


# Fictional names, made up for the demo: none is meant to be a real company.
PUBLISHERS: tuple[str, ...] = (
    "Éditions du Préau Bleu",
    "Cartable Boréal",
    "Les Ateliers Pédagogiques de Loire",
    "Tableau Vif Éducation",
    "Numéclasse Éditions",
    "Craie & Pixel",
    "Plume d'Encrier Numérique",
    "Éditions de la Marelle Verte",
    "Savoirs en Ligne Atlantique",
    "Studio Aquarelle Éducation",
    "Compas d'Or Éditions",
    "Boussole des Apprentissages",
    "Le Chêne Savant",
    "Éditions Hirondelle Numérique",
    "Classe Azur",
    "Récré Sciences Éditions",
    "Mappemonde Interactive",
    "Les Petits Géomètres",
    "Éditions du Vieux Pupitre",
    "Lumière d'Écrit",
    "Encre Vive Éducation",
    "Atelier Caméléon Éditions",
    "Ondes & Savoirs",
    "Cœur de Classe",
    "Œil de Lynx Éditions",
    "Sentier des Lettres",
    "Archipel Langues",
    "Polyglotte & Compagnie",
    "Kiosque à Savoirs",
    "Vigie Citoyenne Éducation",
    "Dynamo Sport Éducation",
    "Solfège Nomade",
    "Palette Numérique Éditions",
    "Quadrant Mathématiques",
    "Chlorophylle Éditions",
    "Volcan Bleu Sciences",
    "Algorithme & Cie",
    "Octet Éducatif",
    "Scriptorium du Lac",
    "Orée du Savoir",
)


# --- Levels ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Level:
    key: str  # short form, as in "Maths 5e" or "SVT 1re-Tle"
    label: str  # voc-022 prefLabel
    name: str  # as written in a sentence: "en seconde"
    stage: str  # "e" école, "c" collège, "l" lycée
    cycle: int  # 2, 3, 4 for école and collège; 0 for lycée


_LEVELS = (
    _Level("CP", "CP", "CP", "e", 2),
    _Level("CE1", "CE1", "CE1", "e", 2),
    _Level("CE2", "CE2", "CE2", "e", 2),
    _Level("CM1", "CM1", "CM1", "e", 3),
    _Level("CM2", "CM2", "CM2", "e", 3),
    _Level("6e", "6e", "6e", "c", 3),
    _Level("5e", "5e", "5e", "c", 4),
    _Level("4e", "4e", "4e", "c", 4),
    _Level("3e", "3e", "3e", "c", 4),
    _Level("2de", "2de générale et technologique", "seconde", "l", 0),
    _Level("1re", "1re générale et technologique", "première", "l", 0),
    _Level("Tle", "terminale générale et technologique", "terminale", "l", 0),
)
_LEVEL_BY_KEY = {level.key: level for level in _LEVELS}
_CYCLE_KEYS = {
    cycle: frozenset(level.key for level in _LEVELS if level.cycle == cycle) for cycle in (2, 3, 4)
}
_WINDOW_SIZES = ((1, 0.55), (2, 0.30), (3, 0.15))


# --- Products: what a resource is, for its title and its voc-005 / voc-010 types -------


@dataclass(frozen=True, slots=True)
class _ProductSpec:
    noun: str  # as in a title: "Exercices interactifs"
    keyword: str
    resource_types: tuple[str, ...]  # voc-005 labels, the first is always used
    pedagogical_types: tuple[str, ...]  # voc-010 labels, the first is always used
    formats: tuple[str, ...]


def _p(noun: str, keyword: str, types: str, pedagogy: str, formats: str) -> _ProductSpec:
    return _ProductSpec(
        noun, keyword, tuple(types.split(";")), tuple(pedagogy.split(";")), tuple(formats.split())
    )


_HTML, _PDF, _EPUB, _MP4 = "text/html", "application/pdf", "application/epub+zip", "video/mp4"
_GENERAL_PRODUCTS = (
    _p("Exercices interactifs", "exercices", "application", "exercice;autoévaluation", _HTML),
    _p("Cahier d'exercices", "cahier", "livre numérique", "exercice;fiche pédagogique", _PDF),
    _p(
        "Manuel numérique",
        "manuel",
        "livre numérique;ouvrage",
        "manuel d'enseignement",
        f"{_HTML} {_EPUB}",
    ),
    _p("Cours en vidéo", "vidéo", "film", "cours / présentation", _MP4),
    _p(
        "Vidéos interactives",
        "vidéo",
        "vidéo interactive",
        "cours / présentation;questionnaire",
        f"{_MP4} {_HTML}",
    ),
    _p("Quiz", "quiz", "application", "questionnaire;autoévaluation", _HTML),
    _p("Jeu éducatif", "jeu", "application", "jeu éducatif", _HTML),
    _p("Fiches de révision", "révision", "compte rendu", "fiche pédagogique", _PDF),
    _p(
        "Diaporama",
        "diaporama",
        "diaporama;présentation multimédia",
        "cours / présentation",
        "application/vnd.oasis.opendocument.presentation",
    ),
    _p("Podcast", "podcast", "podcast", "cours / présentation", "audio/mpeg"),
    _p(
        "Cartes mentales",
        "synthèse",
        "carte heuristique et conceptuelle",
        "fiche pédagogique;matériel de référence",
        f"{_PDF} image/png",
    ),
    _p(
        "Séquences pédagogiques",
        "séquence",
        "dossier documentaire",
        "scénario pédagogique;activité pédagogique",
        f"{_PDF} {_HTML}",
    ),
    _p("Évaluations diagnostiques", "évaluation", "application", "diagnostic;évaluation", _HTML),
    _p("Tutoriels", "tutoriel", "film;site Web", "tutoriel", _MP4),
    _p("Activités en ligne", "activités", "site Web;application", "activité pédagogique", _HTML),
    _p("Parcours différencié", "différenciation", "application", "activité pédagogique", _HTML),
    _p("Guide de l'enseignant", "enseignant", "livre numérique", "guide", _PDF),
    _p("Glossaire illustré", "glossaire", "ouvrage", "glossaire", _HTML),
)
_EXAM_PRODUCTS = (
    _p("Annales corrigées", "annales", "livre numérique", "annales;préparation à l'examen", _PDF),
    _p("Sujets d'entraînement", "examen", "application", "examen;préparation à l'examen", _HTML),
)
_SPECIAL_PRODUCTS = {
    p.noun: p
    for p in (
        _p("Atlas numérique", "atlas", "atlas;carte", "matériel de référence", _HTML),
        _p("Croquis et cartes", "cartographie", "carte;schéma / graphique", "exercice", _PDF),
        _p(
            "Frise chronologique interactive",
            "chronologie",
            "chronologie",
            "matériel de référence",
            _HTML,
        ),
        _p("Archives commentées", "archives", "archives", "étude de cas", _PDF),
        _p(
            "Expériences virtuelles",
            "expérience",
            "image, animation 3D;application",
            "expérience;simulation",
            _HTML,
        ),
        _p(
            "Problèmes corrigés",
            "problèmes",
            "livre numérique",
            "énoncé de problème;exercice",
            _PDF,
        ),
        _p("Simulations", "simulation", "application", "simulation;démonstration", _HTML),
        _p("Modèles 3D", "3d", "objet 3D", "démonstration", "model/gltf-binary"),
        _p("Banque d'images", "images", "banque d'images", "matériel de référence", "image/jpeg"),
        _p("Visite virtuelle", "musée", "exposition", "activité pédagogique", _HTML),
        _p(
            "Partitions et enregistrements",
            "écoute",
            "partition musicale;banque de sons",
            "matériel de référence",
            f"{_PDF} audio/mpeg",
        ),
        _p("Chansons à écouter", "chansons", "chanson", "activité pédagogique", "audio/mpeg"),
        _p(
            "Méthode de langue",
            "méthode",
            "application;livre numérique",
            "méthode de langues",
            _HTML,
        ),
        _p("Albums à écouter", "albums", "livre numérique;conte", "activité pédagogique", _EPUB),
        _p("Textes et poèmes", "textes", "anthologie;poème", "matériel de référence", _EPUB),
        _p("Bandes dessinées", "bd", "bande dessinée", "activité pédagogique", _EPUB),
        _p(
            "Feuilles de calcul",
            "tableur",
            "feuille de calcul;traitement de données",
            "exercice",
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        _p("Jeux de données", "données", "base de données", "étude de cas", "text/csv"),
        _p("Programmes à compléter", "programmation", "application", "exercice;tutoriel", _HTML),
        _p("Vidéos de démonstration", "démonstration", "film", "démonstration;tutoriel", _MP4),
        _p("Fiches d'ateliers", "ateliers", "collection de documents", "fiche pédagogique", _PDF),
        _p(
            "Revue de presse",
            "presse",
            "dossier documentaire;périodique",
            "étude de cas",
            f"{_PDF} {_HTML}",
        ),
        _p("Débats guidés", "débat", "dossier documentaire", "activité pédagogique", _PDF),
        _p(
            "Textes philosophiques commentés",
            "textes",
            "anthologie",
            "cours / présentation",
            _EPUB,
        ),
    )
}


# --- Discipline families -----------------------------------------------------------------


_VOWELS = frozenset("aeiouyhàâéèêëîïôûùœAEIOUYHÀÂÉÈÊËÎÏÔÛÙŒ")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _low(text: str) -> str:
    return text[:1].lower() + text[1:]


def _de(text: str) -> str:
    """ "de" before a topic, contracted or elided: du, des, de la, de l', d'."""
    if text.startswith("le "):
        return f"du {text[3:]}"
    if text.startswith("les "):
        return f"des {text[4:]}"
    if text[:1] in _VOWELS:
        return f"d'{text}"
    return f"de {text}"


@dataclass(frozen=True, slots=True)
class _Topic:
    text: str  # with its article, as in a sentence: "l'algèbre", "les volcans"
    stages: str  # where it is taught: "e", "c", "l" letters
    keyword: str
    cap: str  # capitalised, to open a title
    de: str  # after "de": "de l'algèbre", "des volcans", "du théorème de Pythagore"


@dataclass(frozen=True, slots=True)
class _Family:
    name: str
    short: str  # as in "SVT 5e : la digestion"
    de: str  # "de mathématiques", "d'histoire": the elision is written out
    keyword: str
    labels: tuple[str, ...]  # voc-015 labels of the main concept, by preference
    levels: str  # level keys, space separated
    weight: float
    topics: tuple[_Topic, ...]
    tree: str | None = None  # voc-015 label whose descendants give narrower concepts
    tree_match: str | None = None  # regex those descendants' labels must match
    lycee: tuple[tuple[str, str], ...] = ()  # (voc-015 label, level keys) for lycée resources
    language: str | None = None  # ISO 639-2/B code of a language family
    products: tuple[str, ...] = ()  # nouns of _SPECIAL_PRODUCTS
    signatures: tuple[tuple[str, str], ...] = ()  # (title, product noun)


def _topics(table: str) -> tuple[_Topic, ...]:
    """Lines of ``stages | topic with its article [| keyword]``."""
    topics = []
    for line in table.strip().splitlines():
        stages, text, *keyword = (part.strip() for part in line.split("|"))
        word = keyword[0] if keyword else re.sub(r"^(le |la |les |l')", "", text).lower()
        topics.append(_Topic(text, stages, word, _cap(text), _de(text)))
    return tuple(topics)


_ALL = "CP CE1 CE2 CM1 CM2 6e 5e 4e 3e 2de 1re Tle"
_COLLEGE_LYCEE = "5e 4e 3e 2de 1re Tle"
_LYCEE = "2de 1re Tle"
_FROM_CM1 = "CM1 CM2 6e 5e 4e 3e 2de 1re Tle"

_FAMILIES = (
    _Family(
        "mathématiques",
        "Mathématiques",
        "de mathématiques",
        "mathématiques",
        ("mathématiques (discipline)", "mathématiques"),
        _ALL,
        12,
        _topics("""
            e  | la numération
            e  | les tables de multiplication | multiplication
            ec | le calcul mental
            ec | les fractions
            ec | les nombres décimaux | décimaux
            ec | la géométrie
            ec | les aires et les périmètres | aires
            ec | la proportionnalité
            cl | les équations
            cl | l'algèbre
            c  | le théorème de Pythagore | pythagore
            cl | la trigonométrie
            cl | les statistiques
            cl | les probabilités
            cl | les fonctions
            l  | les suites numériques | suites
            l  | les vecteurs
            l  | le calcul intégral | intégrales
            cl | l'algorithmique
            e  | les grandeurs et mesures | mesures
            ecl| la résolution de problèmes | problèmes
        """),
        lycee=(
            ("mathématiques (lycée 2015)", _LYCEE),
            ("mathématiques (enseignement de spécialité)", "1re Tle"),
        ),
        products=("Simulations", "Feuilles de calcul", "Problèmes corrigés"),
        signatures=(
            ("Le labo des maths", "Simulations"),
            ("Défis de calcul mental", "Jeu éducatif"),
            ("Géométrie dynamique", "Simulations"),
        ),
    ),
    _Family(
        "français",
        "Français",
        "de français",
        "français",
        ("français (discipline)", "français"),
        "CP CE1 CE2 CM1 CM2 6e 5e 4e 3e 2de 1re",
        12,
        _topics("""
            e  | la lecture
            ecl| l'orthographe
            ec | la conjugaison
            ec | la grammaire
            ec | le vocabulaire
            ec | la production d'écrits | écriture
            ecl| la poésie
            e  | les contes
            ec | la fable | fables
            cl | le théâtre
            cl | le roman
            cl | l'argumentation
            l  | le commentaire de texte | commentaire
            l  | la dissertation
            cl | les œuvres intégrales | œuvres
            ecl| l'expression orale | oral
            ec | la compréhension de texte | compréhension
        """),
        lycee=(("français (lycée 2015)", "2de 1re"),),
        products=("Textes et poèmes", "Albums à écouter", "Bandes dessinées"),
        signatures=(
            ("Le coin lecture", "Albums à écouter"),
            ("Dictées interactives", "Exercices interactifs"),
            ("L'atelier d'écriture", "Activités en ligne"),
        ),
    ),
    _Family(
        "sciences de la vie et de la Terre",
        "SVT",
        "de SVT",
        "svt",
        ("sciences de la vie et de la Terre (discipline)", "sciences de la vie et de la Terre"),
        _COLLEGE_LYCEE,
        6,
        _topics("""
            cl | la photosynthèse
            c  | les volcans
            c  | les séismes
            c  | la digestion
            c  | la respiration
            c  | le cœur et la circulation sanguine | cœur
            c  | la reproduction humaine | reproduction
            cl | la génétique
            cl | l'évolution des espèces | évolution
            cl | les écosystèmes
            cl | la biodiversité
            cl | le système nerveux | système nerveux
            cl | l'immunité
            cl | la tectonique des plaques | tectonique
            cl | le climat
            cl | la cellule
        """),
        lycee=(
            ("sciences de la vie et de la Terre (lycée 2015)", _LYCEE),
            ("SVT (enseignement de spécialité)", "1re Tle"),
        ),
        products=("Expériences virtuelles", "Simulations", "Modèles 3D", "Banque d'images"),
        signatures=(
            ("Le corps humain en 3D", "Modèles 3D"),
            ("Voyage au cœur de la cellule", "Vidéos interactives"),
            ("Le labo virtuel de SVT", "Expériences virtuelles"),
        ),
    ),
    _Family(
        "physique-chimie",
        "Physique-chimie",
        "de physique-chimie",
        "physique-chimie",
        ("physique-chimie (discipline)", "physique-chimie"),
        _COLLEGE_LYCEE,
        5,
        _topics("""
            c  | les états de la matière | matière
            c  | les mélanges
            cl | l'électricité
            c  | les circuits électriques | circuits
            cl | la lumière
            c  | le son
            cl | les forces
            cl | le mouvement
            cl | l'énergie
            cl | les atomes et les molécules | atomes
            cl | les transformations chimiques | chimie
            c  | la masse volumique
            l  | les ondes
            l  | la mécanique
            l  | la radioactivité
            l  | les réactions acido-basiques | acides et bases
        """),
        lycee=(
            ("physique-chimie (lycée 2015)", _LYCEE),
            ("physique-chimie (enseignement de spécialité)", "1re Tle"),
        ),
        products=("Expériences virtuelles", "Simulations", "Modèles 3D", "Problèmes corrigés"),
        signatures=(
            ("Le labo virtuel de chimie", "Expériences virtuelles"),
            ("Circuits électriques : le simulateur", "Simulations"),
        ),
    ),
    _Family(
        "technologie",
        "Technologie",
        "de technologie",
        "technologie",
        ("technologie (discipline)", "technologie"),
        "5e 4e 3e",
        3,
        _topics("""
            c | les objets techniques
            c | la programmation
            c | la modélisation 3D | modélisation
            c | les réseaux informatiques | réseaux
            c | l'énergie dans les objets | énergie
            c | la conception d'un objet | conception
            c | les matériaux
            c | la robotique
            c | le développement durable
            c | l'impression 3D | impression 3d
            c | les capteurs et les actionneurs | capteurs
            c | la chaîne d'information | information
        """),
        products=("Programmes à compléter", "Modèles 3D", "Vidéos de démonstration"),
        signatures=(
            ("Atelier de robotique", "Programmes à compléter"),
            ("Objets techniques en 3D", "Modèles 3D"),
        ),
    ),
    _Family(
        "sciences et technologie",
        "Sciences et technologie",
        "de sciences",
        "sciences",
        ("sciences et technologie (discipline)",),
        "CM1 CM2 6e",
        3,
        _topics("""
            ec | le vivant
            ec | le cycle de l'eau | eau
            ec | les états de l'eau | eau
            ec | les objets techniques
            ec | le système solaire
            ec | l'alimentation
            ec | les chaînes alimentaires
            ec | les leviers et les engrenages | engrenages
            ec | les sources d'énergie | énergie
            ec | la classification du vivant | classification
            ec | la croissance des êtres vivants | croissance
        """),
        products=("Expériences virtuelles", "Simulations"),
        signatures=(("Le petit laboratoire", "Expériences virtuelles"),),
    ),
    _Family(
        "questionner le monde",
        "Questionner le monde",
        "de sciences",
        "découverte du monde",
        ("questionner le monde (cycle 2) (discipline)",),
        "CP CE1 CE2",
        3,
        _topics("""
            e | le temps qui passe | temps
            e | les saisons
            e | le cycle de vie des animaux | animaux
            e | les cinq sens | sens
            e | l'eau dans tous ses états | eau
            e | les objets techniques
            e | le corps humain
            e | les plantes
            e | l'hygiène et la santé | hygiène
            e | la frise du temps | frise
            e | les paysages
            e | le plan de la classe | espace
        """),
        products=("Banque d'images", "Expériences virtuelles"),
        signatures=(
            ("Explorateurs du vivant", "Vidéos interactives"),
            ("Les saisons en images", "Banque d'images"),
        ),
    ),
    _Family(
        "histoire",
        "Histoire",
        "d'histoire",
        "histoire",
        ("histoire",),
        _FROM_CM1,
        6,
        _topics("""
            ec | la Préhistoire
            ec | l'Antiquité
            ec | le Moyen Âge
            c  | la Renaissance
            e  | les Gaulois
            e  | les rois de France | rois
            ecl| la Révolution française | révolution
            cl | l'Empire napoléonien | napoléon
            ecl| la révolution industrielle | industrialisation
            ecl| la Première Guerre mondiale | grande guerre
            ecl| la Seconde Guerre mondiale | seconde guerre mondiale
            cl | la guerre froide
            cl | la décolonisation
            cl | la Ve République | république
            cl | la construction européenne | europe
            cl | les Lumières
            c  | la chrétienté médiévale | chrétienté
            c  | l'islam médiéval | islam
        """),
        tree="histoire et géographie (discipline)",
        tree_match=r"^histoire \(|\(histoire ",
        lycee=(("histoire et géographie (lycée 2015)", _LYCEE),),
        products=("Frise chronologique interactive", "Archives commentées", "Atlas numérique"),
        signatures=(
            ("Frise chronologique interactive", "Frise chronologique interactive"),
            ("Les grandes dates de l'histoire de France", "Frise chronologique interactive"),
            ("Sur les traces des poilus", "Archives commentées"),
        ),
    ),
    _Family(
        "géographie",
        "Géographie",
        "de géographie",
        "géographie",
        ("géographie",),
        _FROM_CM1,
        5,
        _topics("""
            ec | les paysages
            e  | se repérer sur une carte | cartes
            ec | la ville
            cl | l'urbanisation
            cl | la mondialisation
            cl | les espaces ruraux | ruralité
            cl | les littoraux
            cl | la population mondiale | démographie
            cl | le développement durable
            cl | les ressources en eau | eau
            cl | les risques naturels | risques
            cl | l'Union européenne | europe
            cl | les territoires ultramarins | outre-mer
            cl | les mobilités
            ec | la France métropolitaine | france
            cl | les océans
        """),
        tree="histoire et géographie (discipline)",
        tree_match=r"^géographie \(|\(géographie ",
        lycee=(("histoire et géographie (lycée 2015)", _LYCEE),),
        products=("Atlas numérique", "Croquis et cartes", "Banque d'images", "Jeux de données"),
        signatures=(
            ("Atlas numérique de géographie", "Atlas numérique"),
            ("Le monde en cartes", "Croquis et cartes"),
            ("Paysages de France vus du ciel", "Banque d'images"),
        ),
    ),
    _Family(
        "enseignement moral et civique",
        "EMC",
        "d'EMC",
        "emc",
        ("enseignement moral et civique (discipline)",),
        _ALL,
        4,
        _topics("""
            ecl| la laïcité
            e  | les règles de vie | règles
            ecl| l'égalité entre les filles et les garçons | égalité
            ec | le harcèlement
            ec | les symboles de la République | république
            ecl| la citoyenneté
            ec | les droits de l'enfant | droits
            cl | la liberté d'expression | liberté
            cl | l'engagement
            cl | la justice
            cl | les discriminations
            cl | la démocratie
            ec | le respect d'autrui | respect
        """),
        lycee=(("enseignement moral et civique (lycée 2015)", _LYCEE),),
        products=("Débats guidés", "Bandes dessinées", "Revue de presse"),
        signatures=(
            ("Le conseil d'élèves", "Séquences pédagogiques"),
            ("Citoyens en herbe", "Jeu éducatif"),
        ),
    ),
    _Family(
        "éducation physique et sportive",
        "EPS",
        "d'EPS",
        "eps",
        ("éducation physique et sportive (discipline)", "éducation physique et sportive"),
        _ALL,
        4,
        _topics("""
            ecl| la course d'orientation | orientation
            ec | la natation
            ecl| les sports collectifs | sports collectifs
            ecl| l'athlétisme
            ecl| la gymnastique
            ecl| la danse
            cl | le handball
            cl | le basket-ball | basket
            cl | le badminton
            cl | l'acrosport
            cl | l'escalade
            e  | les jeux d'opposition | opposition
            ecl| l'échauffement
            ecl| la course de durée | endurance
        """),
        lycee=(("éducation physique et sportive (lycée 2015)", _LYCEE),),
        products=("Vidéos de démonstration", "Fiches d'ateliers"),
        signatures=(
            ("Carnet d'entraînement", "Vidéos de démonstration"),
            ("L'esprit sportif en classe", "Séquences pédagogiques"),
        ),
    ),
    _Family(
        "anglais",
        "Anglais",
        "d'anglais",
        "anglais",
        ("anglais",),
        _ALL,
        7,
        _topics("""
            ecl| le vocabulaire
            ecl| la compréhension orale | compréhension orale
            cl | l'expression écrite | expression écrite
            ecl| la grammaire
            ecl| la prononciation
            e  | les comptines
            e  | les nombres et les couleurs | couleurs
            cl | les verbes irréguliers | verbes irréguliers
            c  | le présent simple | présent
            cl | le prétérit
            cl | la civilisation britannique | civilisation
            cl | les pays anglophones | monde anglophone
            ecl| l'expression orale | oral
            l  | la presse anglophone | presse
            l  | les séries et le cinéma | cinéma
        """),
        tree="langues vivantes (étrangères ou régionales) (discipline)",
        tree_match=r"^anglais \(",
        lycee=(("anglais (lycée 2015)", _LYCEE),),
        language="eng",
        products=("Méthode de langue", "Chansons à écouter", "Albums à écouter"),
        signatures=(
            ("English time", "Méthode de langue"),
            ("Let's talk!", "Vidéos interactives"),
            ("Storytime : albums en anglais", "Albums à écouter"),
        ),
    ),
    _Family(
        "allemand",
        "Allemand",
        "d'allemand",
        "allemand",
        ("allemand",),
        "6e 5e 4e 3e 2de 1re Tle",
        3,
        _topics("""
            cl | le vocabulaire
            cl | la compréhension orale | compréhension orale
            cl | les déclinaisons
            cl | la conjugaison
            cl | les verbes forts | verbes
            cl | la civilisation allemande | civilisation
            cl | Berlin et son histoire | berlin
            cl | l'expression orale | oral
            cl | les pays germanophones | monde germanophone
            cl | la prononciation
            cl | l'ordre des mots | syntaxe
        """),
        tree="langues vivantes (étrangères ou régionales) (discipline)",
        tree_match=r"^allemand \(",
        lycee=(("allemand (lycée 2015)", _LYCEE),),
        language="deu",
        products=("Méthode de langue", "Chansons à écouter"),
        signatures=(
            ("Deutsch aktiv", "Méthode de langue"),
            ("Hallo Berlin !", "Vidéos interactives"),
        ),
    ),
    _Family(
        "espagnol",
        "Espagnol",
        "d'espagnol",
        "espagnol",
        ("espagnol",),
        _COLLEGE_LYCEE,
        4,
        _topics("""
            cl | le vocabulaire
            cl | la compréhension orale | compréhension orale
            cl | la conjugaison
            cl | ser et estar | ser et estar
            cl | le passé simple
            cl | l'Amérique latine | amérique latine
            cl | la culture hispanique | civilisation
            cl | les fêtes traditionnelles | fêtes
            cl | l'expression écrite | expression écrite
            cl | la prononciation
            cl | l'Espagne contemporaine | espagne
        """),
        tree="langues vivantes (étrangères ou régionales) (discipline)",
        tree_match=r"^espagnol \(",
        lycee=(("espagnol (lycée 2015)", _LYCEE),),
        language="spa",
        products=("Méthode de langue", "Chansons à écouter"),
        signatures=(
            ("¡Vamos!", "Méthode de langue"),
            ("Viaje a Andalucía", "Vidéos interactives"),
        ),
    ),
    _Family(
        "italien",
        "Italien",
        "d'italien",
        "italien",
        ("italien",),
        _COLLEGE_LYCEE,
        1.5,
        _topics("""
            cl | le vocabulaire
            cl | la compréhension orale | compréhension orale
            cl | la conjugaison
            cl | les articles et les prépositions | grammaire
            cl | la culture italienne | civilisation
            cl | Rome et Florence | italie
            cl | l'expression orale | oral
            cl | la prononciation
            cl | le cinéma italien | cinéma
            cl | la cuisine régionale | cuisine
        """),
        tree="langues vivantes (étrangères ou régionales) (discipline)",
        tree_match=r"^italien \(",
        lycee=(("italien (lycée 2015)", _LYCEE),),
        language="ita",
        products=("Méthode de langue",),
        signatures=(("Andiamo!", "Méthode de langue"),),
    ),
    _Family(
        "arts plastiques",
        "Arts plastiques",
        "d'arts plastiques",
        "arts plastiques",
        ("arts plastiques (discipline)", "arts plastiques"),
        "CP CE1 CE2 CM1 CM2 6e 5e 4e 3e 2de 1re Tle",
        3,
        _topics("""
            ec | la couleur
            ec | le collage
            ecl| le dessin
            cl | la perspective
            ecl| l'autoportrait
            ecl| la sculpture
            cl | l'art contemporain | art contemporain
            cl | les œuvres de la Renaissance | œuvres
            cl | la photographie
            cl | l'œuvre et l'espace | œuvre
            ec | la bande dessinée | bd
            ec | le land art | land art
            cl | l'architecture
        """),
        lycee=(("arts plastiques (lycée 2015)", _LYCEE),),
        products=("Banque d'images", "Vidéos de démonstration", "Visite virtuelle"),
        signatures=(
            ("Musée imaginaire : une œuvre par semaine", "Banque d'images"),
            ("L'atelier du peintre", "Vidéos de démonstration"),
        ),
    ),
    _Family(
        "éducation musicale",
        "Éducation musicale",
        "d'éducation musicale",
        "musique",
        ("éducation musicale (discipline)", "éducation musicale"),
        "CP CE1 CE2 CM1 CM2 6e 5e 4e 3e",
        3,
        _topics("""
            ec | le chant choral | chant
            c  | les chœurs de l'opéra | chœur
            ec | le rythme
            ec | les instruments de l'orchestre | instruments
            ec | l'écoute musicale | écoute
            c  | la musique baroque | baroque
            c  | le jazz
            c  | la composition
            e  | les comptines
            c  | la musique de film | cinéma
            ec | le solfège
            ec | les musiques du monde | musiques du monde
        """),
        products=("Partitions et enregistrements", "Chansons à écouter"),
        signatures=(
            ("La chorale de la classe", "Chansons à écouter"),
            ("Les instruments de l'orchestre", "Partitions et enregistrements"),
        ),
    ),
    _Family(
        "histoire des arts",
        "Histoire des arts",
        "d'histoire des arts",
        "histoire des arts",
        ("histoire des arts (discipline)", "histoire des arts"),
        _FROM_CM1,
        2,
        _topics("""
            ecl| l'art roman | art roman
            ecl| l'art gothique | gothique
            cl | les œuvres de la Renaissance | renaissance
            cl | l'impressionnisme
            cl | le cubisme
            ec | l'art antique | antiquité
            ec | les châteaux forts | châteaux
            cl | le street art | street art
            ecl| les musées
            cl | le cinéma muet | cinéma
            cl | les arts et la propagande | propagande
            cl | la Belle Époque | belle époque
        """),
        lycee=(("histoire des arts (lycée 2015)", _LYCEE),),
        products=("Banque d'images", "Visite virtuelle"),
        signatures=(
            ("Chefs-d'œuvre à la loupe", "Banque d'images"),
            ("Visite virtuelle du musée", "Visite virtuelle"),
        ),
    ),
    _Family(
        "sciences économiques et sociales",
        "SES",
        "de SES",
        "ses",
        ("sciences économiques et sociales",),
        _LYCEE,
        3,
        _topics("""
            l | le marché
            l | la monnaie
            l | le chômage
            l | la croissance économique | croissance
            l | la socialisation
            l | les inégalités
            l | le commerce international | commerce international
            l | la mondialisation
            l | les politiques économiques | politique économique
            l | la mobilité sociale | mobilité sociale
            l | le financement de l'économie | financement
            l | l'action publique | action publique
            l | la consommation
        """),
        lycee=(
            ("sciences sociales et politiques (enseignement de spécialité)", "Tle"),
            ("économie approfondie (enseignement de spécialité)", "Tle"),
        ),
        products=("Jeux de données", "Revue de presse", "Feuilles de calcul"),
        signatures=(
            ("L'économie en graphiques", "Jeux de données"),
            ("Comprendre l'actualité économique", "Revue de presse"),
        ),
    ),
    _Family(
        "numérique et sciences informatiques",
        "NSI",
        "de NSI",
        "nsi",
        ("informatique et sciences du numérique (enseignement de spécialité)",),
        "1re Tle",
        2.5,
        _topics("""
            l | la programmation en Python | python
            l | les algorithmes de tri | algorithmes
            l | les bases de données | bases de données
            l | la récursivité
            l | les structures de données | structures de données
            l | les réseaux
            l | l'architecture des ordinateurs | architecture
            l | les graphes
            l | la programmation orientée objet | objets
            l | les systèmes d'exploitation | système d'exploitation
            l | le web
            l | l'encodage des données | encodage
        """),
        products=("Programmes à compléter", "Simulations", "Jeux de données"),
        signatures=(
            ("Python pas à pas", "Programmes à compléter"),
            ("Le labo des algorithmes", "Simulations"),
        ),
    ),
    _Family(
        "sciences numériques et technologie",
        "SNT",
        "de SNT",
        "snt",
        ("informatique",),
        "2de",
        2,
        _topics("""
            l | internet
            l | le web
            l | les réseaux sociaux | réseaux sociaux
            l | les données structurées | données
            l | la photographie numérique | photographie
            l | la localisation et la cartographie | géolocalisation
            l | l'informatique embarquée | informatique embarquée
            l | les objets connectés | objets connectés
            l | la cybersécurité
            l | l'intelligence artificielle | intelligence artificielle
        """),
        products=("Programmes à compléter", "Jeux de données"),
        signatures=(
            ("Les données et moi", "Jeux de données"),
            ("Mission cybersécurité", "Jeu éducatif"),
        ),
    ),
    _Family(
        "philosophie",
        "Philosophie",
        "de philosophie",
        "philosophie",
        ("philosophie",),
        "Tle",
        2.5,
        _topics("""
            l | la conscience
            l | la liberté
            l | le bonheur
            l | la vérité
            l | la justice
            l | l'art
            l | le travail
            l | la raison
            l | le devoir
            l | l'État | état
            l | la nature
            l | le temps
            l | la méthode de la dissertation | dissertation
            l | l'explication de texte | explication de texte
        """),
        products=("Textes philosophiques commentés", "Débats guidés"),
        signatures=(
            ("Penser par soi-même", "Textes philosophiques commentés"),
            ("La dissertation en dix étapes", "Tutoriels"),
        ),
    ),
    _Family(
        "éducation aux médias et à l'information",
        "EMI",
        "d'EMI",
        "emi",
        ("éducation aux médias et à l'information (discipline)",),
        "6e 5e 4e 3e",
        2,
        _topics("""
            c | l'information en ligne | information
            c | les fausses informations | désinformation
            c | l'identité numérique | identité numérique
            c | la publicité
            c | les réseaux sociaux | réseaux sociaux
            c | la presse écrite | presse
            c | la recherche documentaire | recherche documentaire
            c | le droit à l'image | droit à l'image
            c | les sources
            c | le métier de journaliste | journalisme
        """),
        products=("Revue de presse", "Débats guidés"),
        signatures=(
            ("Démêler le vrai du faux", "Revue de presse"),
            ("Mon identité numérique", "Séquences pédagogiques"),
        ),
    ),
)


# --- Sentences ---------------------------------------------------------------------------

_MIDDLE = (
    "Les activités sont progressives et s'appuient sur des exemples concrets.",
    (
        "Chaque séance propose une mise en situation, des exercices d'application et une "
        "correction détaillée."
    ),
    "L'enseignant suit les progrès de la classe depuis un tableau de bord.",
    "Les élèves travaillent en autonomie ou en groupe, en classe comme à la maison.",
    "Des fiches imprimables complètent les activités en ligne.",
    "Un parcours différencié aide chaque élève à surmonter ses difficultés.",
    "Le contenu est conforme aux programmes en vigueur de l'Éducation nationale.",
    "De courtes vidéos introduisent chaque notion avant la pratique.",
    "Les corrigés restent accessibles à l'enseignant à tout moment.",
    "La ressource fonctionne sur ordinateur, sur tablette et au tableau numérique interactif.",
    "Un mode hors ligne permet de travailler sans connexion.",
    "Les données des élèves sont hébergées en France, conformément au RGPD.",
    "",  # replaced by the list of other topics of the resource
)
_TITLES = (
    "{noun} {de} {dash} {short}",
    "{Topic} {en} : {noun_low}",
    "Comprendre {topic} ({short})",
    "{discipline} {short} : {topic}",
    "Réviser {topic} {en}",
    "{noun} : {topic} ({short})",
    "Mon cahier {de} {short}",
    "L'essentiel {de_topic} {en}",
    "{Topic} {en}, pas à pas",
    "{noun} {de} : {topic}",
    "Tout savoir sur {topic} {dash} {discipline} {short}",
    "Objectif {short} : {topic} en {n} activités",
)
_GENERIC_KEYWORDS = (
    "numérique",
    "interactif",
    "autonomie",
    "différenciation",
    "remédiation",
    "entraînement",
    "évaluation",
    "collaboratif",
    "tablette",
    "pédagogie",
)
_FREE_RIGHTS = (
    "Licence Creative Commons BY 4.0",
    "Licence Creative Commons BY-SA 4.0",
    "Licence Creative Commons BY-NC-SA 4.0",
    "Licence Ouverte 2.0",
)
_ACCESSIBILITY = tuple(ACCESSIBILITY)


# --- Compiled tables ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Product:
    noun: str
    low: str  # the noun inside a sentence: "exercices interactifs"
    keyword: str
    resource_types: tuple[str, ...]
    pedagogical_types: tuple[str, ...]
    formats: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Window:
    """One to three consecutive levels of one stage, with all that depends on them."""

    uris: tuple[str, ...]
    short: str  # "5e", "CE1-CE2", "2de-Tle"
    en: str  # "en 5e", "en CE1 et CE2", "de la seconde à la terminale"
    de: str  # "de 5e", "de CE1 et CE2", "du CP au CE2"
    keyword: str
    exam: str | None  # "brevet", "bac"
    narrower: tuple[str, ...]
    topics: tuple[_Topic, ...]
    products: tuple[_Product, ...]
    exam_products: tuple[_Product, ...]


@dataclass(frozen=True, slots=True)
class _CompiledFamily:
    spec: _Family
    uri: str
    windows: tuple[_Window, ...]
    window_weights: tuple[float, ...]  # cumulative
    signatures: tuple[tuple[str, _Product], ...]


@dataclass(frozen=True, slots=True)
class _Publisher:
    name: str
    slug: str
    isbn_prefix: str  # "9782" and a three-digit publisher code


@dataclass(frozen=True, slots=True)
class _Compiled:
    families: tuple[_CompiledFamily, ...]
    family_weights: tuple[float, ...]  # cumulative
    publishers: tuple[_Publisher, ...]
    publisher_weights: tuple[float, ...]  # cumulative


def _cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return tuple(cumulative)


def _pick(rng: random.Random, cumulative: tuple[float, ...]) -> int:
    index = bisect.bisect_right(cumulative, rng.random() * cumulative[-1])
    return min(index, len(cumulative) - 1)  # random() * total may round up to total


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name.replace("œ", "oe").replace("Œ", "Oe"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")


class _Vocabulary:
    """Non-deprecated concepts by scheme and label, and the levels voc-015 concepts are about."""

    def __init__(self, concepts: Sequence[Concept]) -> None:
        live = sorted((c for c in concepts if not c.deprecated), key=lambda c: c.uri)
        self._by_label: dict[tuple[str, str], list[Concept]] = {}
        for concept in live:
            self._by_label.setdefault((concept.scheme, concept.label), []).append(concept)
        self.disciplines = [c for c in live if c.scheme == DISCIPLINES]
        self._labels = {c.uri: c.label for c in self.disciplines}
        self._parents: dict[str, set[str]] = {c.uri: set(c.broader) for c in self.disciplines}
        for concept in self.disciplines:
            for child in concept.narrower:
                self._parents.setdefault(child, set()).add(concept.uri)
        self._levels: dict[str, frozenset[str] | None] = {}

    def uri(self, scheme: str, label: str) -> str:
        """The concept with this label; a top concept first when several share it."""
        found = self._by_label.get((scheme, label))
        if not found:
            raise ValueError(f"no concept labelled {label!r} in {scheme}")
        return min(found, key=lambda c: (bool(c.broader), c.uri)).uri

    def has(self, scheme: str, label: str) -> bool:
        return (scheme, label) in self._by_label

    def descendants(self, root: str) -> list[Concept]:
        return [c for c in self.disciplines if c.uri != root and root in c.ancestors]

    def levels(self, uri: str, seen: frozenset[str] = frozenset()) -> frozenset[str] | None:
        """Level keys a voc-015 concept is about: its label's, else its parents' (None: any)."""
        if uri in self._levels:
            return self._levels[uri]
        found = _label_levels(self._labels.get(uri, ""))
        if found is None:
            inherited: set[str] = set()
            for parent in sorted(self._parents.get(uri, set()) - seen):
                inherited |= self.levels(parent, seen | {uri}) or set()
            found = frozenset(inherited) if inherited else None
        self._levels[uri] = found
        return found


_SUFFIX = re.compile(r"\(([^()]*)\)\s*$")
_CYCLE = re.compile(r"\bcycle (\d)\b")
_LEVEL_WORD = re.compile(r"\b(CP|CE1|CE2|CM1|CM2|6e|5e|4e|3e)\b")


def _label_levels(label: str) -> frozenset[str] | None:
    """Levels a label names in its last parenthesis: "(mathématiques cycle 4)", "(histoire 5e)"."""
    suffix = _SUFFIX.search(label)
    if suffix is None:
        return None
    cycles = _CYCLE.findall(suffix[1])
    if cycles:
        return frozenset().union(*(_CYCLE_KEYS.get(int(c), frozenset()) for c in cycles))
    words = _LEVEL_WORD.findall(suffix[1])
    return frozenset(words) if words else None


def _product(vocabulary: _Vocabulary, spec: _ProductSpec) -> _Product:
    return _Product(
        noun=spec.noun,
        low=_low(spec.noun),
        keyword=spec.keyword,
        resource_types=tuple(vocabulary.uri(RESOURCE_TYPES, t) for t in spec.resource_types),
        pedagogical_types=tuple(
            vocabulary.uri(PEDAGOGICAL_TYPES, t) for t in spec.pedagogical_types
        ),
        formats=spec.formats,
    )


def _phrases(levels: Sequence[_Level]) -> tuple[str, str, str]:
    """The short form, "en ..." and "de ..." of consecutive levels of one stage."""
    first, last = levels[0], levels[-1]
    if len(levels) == 1:
        return first.key, f"en {first.name}", f"de {first.name}"
    short = f"{first.key}-{last.key}"
    if len(levels) == 2:
        return short, f"en {first.name} et {last.name}", f"de {first.name} et {last.name}"
    span = (
        f"du {first.name} au {last.name}"
        if first.stage == "e"
        else f"de la {first.name} à la {last.name}"
    )
    return short, span, span


def _windows(
    vocabulary: _Vocabulary,
    family: _Family,
    narrower: Sequence[tuple[str, frozenset[str]]],
    products: tuple[tuple[_Product, ...], tuple[_Product, ...]],
) -> tuple[list[_Window], list[float]]:
    levels = [_LEVEL_BY_KEY[key] for key in family.levels.split()]
    windows: list[_Window] = []
    weights: list[float] = []
    for stage in "ecl":
        in_stage = [level for level in levels if level.stage == stage]
        topics = tuple(t for t in family.topics if stage in t.stages)
        if not in_stage:
            continue
        if len(topics) < 4:
            raise ValueError(f"{family.name}: too few topics for stage {stage!r}")
        sizes = [(k, w) for k, w in _WINDOW_SIZES if k <= len(in_stage)]
        total = sum(w for _, w in sizes)
        for size, size_weight in sizes:
            starts = len(in_stage) - size + 1
            for start in range(starts):
                chosen = in_stage[start : start + size]
                keys = frozenset(level.key for level in chosen)
                short, en, de = _phrases(chosen)
                exam = "bac" if keys & {"1re", "Tle"} else "brevet" if "3e" in keys else None
                windows.append(
                    _Window(
                        uris=tuple(vocabulary.uri(LEVELS, level.label) for level in chosen),
                        short=short,
                        en=en,
                        de=de,
                        keyword=chosen[0].name.lower(),
                        exam=exam,
                        narrower=tuple(uri for uri, fits in narrower if keys <= fits),
                        topics=topics,
                        products=products[0],
                        exam_products=products[1],
                    )
                )
                weights.append(len(in_stage) * size_weight / total / starts)
    return windows, weights


def _family(
    vocabulary: _Vocabulary,
    family: _Family,
    general: tuple[_Product, ...],
    exams: tuple[_Product, ...],
) -> _CompiledFamily:
    main = next(
        (
            vocabulary.uri(DISCIPLINES, label)
            for label in family.labels
            if vocabulary.has(DISCIPLINES, label)
        ),
        None,
    )
    if main is None:
        raise ValueError(f"no concept for the discipline {family.name!r}")
    tree = vocabulary.uri(DISCIPLINES, family.tree) if family.tree else main
    match = re.compile(family.tree_match) if family.tree_match else None
    narrower: list[tuple[str, frozenset[str]]] = []
    for concept in vocabulary.descendants(tree):
        fits = vocabulary.levels(concept.uri)
        if fits and (match is None or match.search(concept.label)):
            narrower.append((concept.uri, fits))
    for label, keys in family.lycee:
        narrower.append((vocabulary.uri(DISCIPLINES, label), frozenset(keys.split())))
    special = tuple(_product(vocabulary, _SPECIAL_PRODUCTS[noun]) for noun in family.products)
    windows, weights = _windows(vocabulary, family, narrower, (general + special, exams))
    by_noun = {p.noun: p for p in (*general, *special)}
    signatures = tuple(
        (title, by_noun.get(noun) or _product(vocabulary, _SPECIAL_PRODUCTS[noun]))
        for title, noun in family.signatures
    )
    return _CompiledFamily(
        spec=family,
        uri=main,
        windows=tuple(windows),
        window_weights=_cumulative(weights),
        signatures=signatures,
    )


def _compile(concepts: Sequence[Concept]) -> _Compiled:
    vocabulary = _Vocabulary(concepts)
    general = tuple(_product(vocabulary, spec) for spec in _GENERAL_PRODUCTS)
    exams = tuple(_product(vocabulary, spec) for spec in _EXAM_PRODUCTS)
    families = tuple(_family(vocabulary, f, general, exams) for f in _FAMILIES)
    publishers = tuple(
        _Publisher(name, _slug(name), f"9782{200 + 12 * i:03d}")
        for i, name in enumerate(PUBLISHERS)
    )
    return _Compiled(
        families=families,
        family_weights=_cumulative([f.weight for f in _FAMILIES]),
        publishers=publishers,
        # A few large publishers and a long tail, as in the real market.
        publisher_weights=_cumulative([1 / (i + 1) ** 0.5 for i in range(len(PUBLISHERS))]),
    )


# --- Generation --------------------------------------------------------------------------


def _isbn(prefix: str, number: int) -> str:
    """978-2-ppp-nnnnn-c: a valid ISBN-13 of the French-speaking group."""
    digits = f"{prefix}{number % 100_000:05d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    check = (10 - total % 10) % 10
    return f"{digits[:3]}-{digits[3]}-{digits[4:7]}-{digits[7:]}-{check}"


def _title(
    rng: random.Random, family: _CompiledFamily, window: _Window, topic: _Topic
) -> tuple[str, _Product]:
    draw = rng.random()
    if draw < 0.07 and family.signatures:
        title, product = rng.choice(family.signatures)
        return (f"{title} {DASH} {window.short}" if draw < 0.04 else title), product
    if draw < 0.14 and window.exam:
        product = rng.choice(window.exam_products)
        if draw < 0.11:
            return f"Objectif {window.exam} : {topic.text}", product
        return f"Réussir le {window.exam} {family.spec.de}", product
    product = rng.choice(window.products)
    template = _TITLES[rng.randrange(len(_TITLES))]
    title = template.format(
        noun=product.noun,
        noun_low=product.low,
        de=family.spec.de,
        discipline=family.spec.short,
        short=window.short,
        en=window.en,
        topic=topic.text,
        Topic=topic.cap,
        de_topic=topic.de,
        dash=DASH,
        n=5 + rng.randrange(26),
    )
    return title, product


def _description(
    rng: random.Random,
    family: _CompiledFamily,
    window: _Window,
    topic: _Topic,
    extras: tuple[str, str, str],
) -> str:
    """Two to four sentences: an opening, one or two details, accessibility and language."""
    product, publisher, accessibility = extras
    spec, text = family.spec, topic.text
    opening = rng.randrange(5)
    if opening == 0:
        first = (
            f"Cette ressource {spec.de} accompagne les élèves {window.de} dans l'étude {topic.de}."
        )
    elif opening == 1:
        first = (
            f"Conçue pour les élèves {window.de}, cette ressource {spec.de} aborde {text} "
            "de manière progressive."
        )
    elif opening == 2:
        first = f"Un parcours {spec.de} pour travailler {text} {window.en}."
    elif opening == 3:
        first = (
            f"Pour enseigner {text} {window.en}, {publisher} propose des activités clés en main."
        )
    else:
        first = f"{product} pour découvrir {text} et s'entraîner {window.en}."
    sentences = [first]
    tail = []
    if accessibility:
        tail.append(f"Accessibilité : {accessibility}.")
    if spec.language and rng.random() < 0.6:
        tail.append(
            f"Les consignes sont données en {_language_name(spec.language)}, "
            "avec une aide en français."
        )
    count = min(1 + (rng.random() < 0.5), 3 - len(tail))
    first_detail = rng.randrange(len(_MIDDLE))
    details = [first_detail]
    if count == 2:
        details.append((first_detail + 1 + rng.randrange(len(_MIDDLE) - 1)) % len(_MIDDLE))
    for index in details:
        sentence = _MIDDLE[index]
        if not sentence:
            others = [t.text for t in rng.sample(window.topics, 4) if t is not topic][:3]
            sentence = f"Les notions abordées incluent {others[0]}, {others[1]} et {others[2]}."
        sentences.append(sentence)
    sentences.extend(tail)
    return " ".join(sentences)


def _offers(rng: random.Random) -> list[OfferDraft]:
    count = 1 + rng.randrange(3)
    licences = sorted(rng.sample(range(3), count))
    offers = []
    for licence in licences:
        seats = None
        if licence == 0:
            kind, price = LicenceType.TEACHER, _price(rng, 200, 6_000)
        elif licence == 1:
            kind, price = LicenceType.CLASS_SEATS, _price(rng, 500, 30_000)
            seats = 25 + rng.randrange(11)
        else:
            kind, price = LicenceType.ESTABLISHMENT, _price(rng, 5_000, 200_000)
        draw = rng.random()
        months = None
        if draw < 0.6:
            duration = Duration.SCHOOL_YEAR
        elif draw < 0.85:
            duration, months = Duration.MONTHS, rng.choice((3, 6, 12))
        else:
            duration = Duration.PERPETUAL
        offers.append(
            OfferDraft(
                licence_type=kind,
                unit_price_cents=price,
                duration=duration,
                duration_months=months,
                seats=seats,
            )
        )
    return offers


def _price(rng: random.Random, low: int, high: int) -> int:
    """Whole euros, often ending in ,90: 4,90 EUR, 29 EUR, 1 490 EUR."""
    cents = rng.randrange(low // 100, high // 100 + 1) * 100
    if rng.random() < 0.6 and cents - 10 >= low:
        cents -= 10
    return cents


def _keywords(
    rng: random.Random, family: _Family, topic: _Topic, product: _Product, window: _Window
) -> list[str]:
    keywords = [family.keyword]
    if topic.keyword != family.keyword:
        keywords.append(topic.keyword)
    extras = [product.keyword, window.keyword, rng.choice(_GENERIC_KEYWORDS)]
    shift = rng.randrange(3)
    wanted = 2 + rng.randrange(4)
    for keyword in extras[shift:] + extras[:shift]:
        if len(keywords) >= wanted:
            break
        if keyword not in keywords:
            keywords.append(keyword)
    return [k.lower() for k in keywords]


def _resource(
    rng: random.Random, number: int, compiled: _Compiled, isbn_counts: list[int]
) -> GeneratedResource:
    publisher_index = _pick(rng, compiled.publisher_weights)
    publisher = compiled.publishers[publisher_index]
    family = compiled.families[_pick(rng, compiled.family_weights)]
    spec = family.spec
    window = family.windows[_pick(rng, family.window_weights)]
    topic = rng.choice(window.topics)
    title, product = _title(rng, family, window, topic)

    disciplines = [family.uri]
    if window.narrower and rng.random() < 0.4:
        disciplines.append(rng.choice(window.narrower))
    resource_types = [product.resource_types[0]]
    if len(product.resource_types) > 1 and rng.random() < 0.4:
        resource_types.append(product.resource_types[1])
    pedagogical_types = [product.pedagogical_types[0]]
    if len(product.pedagogical_types) > 1 and rng.random() < 0.5:
        pedagogical_types.append(product.pedagogical_types[1])

    accessibility: list[str] = []
    if rng.random() < 0.45:
        chosen = rng.sample(range(len(_ACCESSIBILITY)), 1 + rng.randrange(3))
        accessibility = [_ACCESSIBILITY[i] for i in sorted(chosen)]
    described = ", ".join(ACCESSIBILITY[a] for a in accessibility)

    if spec.language:
        languages = [spec.language, "fre"] if rng.random() < 0.25 else [spec.language]
    else:
        languages = ["fre"]

    base = f"https://{publisher.slug}.example"
    identifiers = [Identifier(kind=IdentifierKind.URL, value=f"{base}/ressources/{number}")]
    if rng.random() < 0.3:
        isbn_counts[publisher_index] += 1
        isbn = _isbn(publisher.isbn_prefix, isbn_counts[publisher_index])
        identifiers.append(Identifier(kind=IdentifierKind.ISBN, value=isbn))

    if rng.random() < 0.3:
        offers = [
            OfferDraft(
                licence_type=LicenceType.TEACHER, unit_price_cents=0, duration=Duration.PERPETUAL
            )
        ]
        rights = rng.choice(_FREE_RIGHTS) if rng.random() < 0.5 else f"© {publisher.name}"
    else:
        offers = _offers(rng)
        rights = f"© {publisher.name}, tous droits réservés"

    draft = ResourceDraft(
        title=title,
        description=_description(
            rng, family, window, topic, (product.noun, publisher.name, described)
        ),
        keywords=_keywords(rng, spec, topic, product, window),
        languages=languages,
        resource_types=resource_types,
        pedagogical_types=pedagogical_types,
        levels=list(window.uris),
        disciplines=disciplines,
        accessibility=accessibility,
        formats=list(product.formats),
        rights=rights,
        thumbnail_url=f"{base}/vignettes/{number}.jpg",
        access_url=f"{base}/ressources/{number}/ouvrir",
        identifiers=identifiers,
        offers=offers,
        status=Status.PUBLISHED,
    )
    return GeneratedResource(publisher=publisher.name, draft=draft)


def generate(
    count: int, concepts: Sequence[Concept], *, seed: int = 2026
) -> Iterator[GeneratedResource]:
    """``count`` published resources, the same ones for the same seed and concepts.

    ``concepts`` are the ScoLOMFR concepts as ``load_folder`` returns them (with their
    ancestors). The vocabulary is checked and indexed here, at the call; the resources are
    then produced one at a time. Resource numbers, in identifiers and URLs, run from 1 to
    ``count``.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    return _stream(count, _compile(concepts), seed)


def _stream(count: int, compiled: _Compiled, seed: int) -> Iterator[GeneratedResource]:
    rng = random.Random(seed)  # noqa: S311  # reproducible demo data, not secrets
    isbn_counts = [0] * len(compiled.publishers)
    for number in range(1, count + 1):
        yield _resource(rng, number, compiled, isbn_counts)


def _language_name(code: str) -> str:
    """The French name of a language code in any form ("deu" is stored as "ger")."""
    found = normalise_language(code)
    return LANGUAGES[found.code if found else code]
