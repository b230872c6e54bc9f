"""Suggested redactions for blind review: pure text rules, no database.

`redact(text, names=, worksites=, districts=)` replaces each whole-word, case-insensitive occurrence of the
nominee's names with [nominee], of the worksite with [worksite] and of the district with [district],
longest phrase first (so "Tamika Shelton" becomes one [nominee], and "Tamika's" becomes "[nominee]'s").
It is a starting point for staff, who read and correct the copy; it is also what reviewers get when the
cycle hides names and staff have not yet prepared a copy, so that a name written in an essay never
reaches a reviewer by default.
"""

import re

MIN_LENGTH = 2  # a one-letter initial would blank every "A" in the text


def redaction_terms(*, names=(), worksites=(), districts=()) -> list[tuple[str, str]]:
    """(phrase, placeholder) pairs, longest phrase first, without blanks or duplicates."""
    terms = {}
    for placeholder, phrases in (("[nominee]", names), ("[worksite]", worksites), ("[district]", districts)):
        for phrase in phrases:
            phrase = " ".join((phrase or "").split())
            if len(phrase) >= MIN_LENGTH and phrase.lower() not in terms:
                terms[phrase.lower()] = (phrase, placeholder)
    return sorted(terms.values(), key=lambda term: -len(term[0]))


def redact(text: str, *, names=(), worksites=(), districts=()) -> str:
    terms = redaction_terms(names=names, worksites=worksites, districts=districts)
    if not text or not terms:
        return text or ""
    pattern = re.compile("|".join(rf"(?<!\w){_flexible(phrase)}(?!\w)" for phrase, _ in terms), re.IGNORECASE)
    by_phrase = {phrase.lower(): placeholder for phrase, placeholder in terms}

    def replace(match):
        return by_phrase[" ".join(match.group(0).split()).lower()]

    return pattern.sub(replace, text)


def _flexible(phrase: str) -> str:
    # Words of a phrase may be split by any run of spaces or a line break in the essay.
    return r"\s+".join(re.escape(word) for word in phrase.split())


def nominee_phrases(member) -> dict:
    """The phrases to redact for a nominee (a members.models.Member with its worksite and district loaded)."""
    names = [member.legal_first_name, member.legal_middle_name, member.legal_last_name, member.preferred_name,
             member.legal_name, member.display_name]
    worksite = member.worksite.name if member.worksite_id else ""
    district = member.employer_district.name if member.employer_district_id else ""
    return {"names": names, "worksites": [worksite], "districts": [district]}
