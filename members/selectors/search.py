"""The staff member search, and members' status computed in SQL for it."""

import functools
import hashlib
import uuid
from datetime import date, timedelta

from django.contrib.postgres.fields.ranges import RangeEndsWith, RangeStartsWith
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import BooleanField, Case, CharField, Exists, F, Model, OuterRef, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThanOrEqual
from django.db.models.query import NamedValuesListIterable
from django.db.models.utils import create_namedtuple_class

from members import dues
from members.models import (
    CareerField,
    District,
    Local,
    Member,
    MembershipCategory,
    MembershipTerm,
    MemberStanding,
    NameLexicon,
    UniServRegion,
)
from members.reference_cache import scoped_key
from members.selectors.terms import ZERO, terms_with_money

MEMBER_STATUSES = [
    ("active", "Active"), ("grace", "In grace period"), ("lapsed", "Lapsed"), ("pending", "Pending"),
    ("none", "Never a member"),
]


STAFF_SEARCH_MAX_WORDS = 5

# What the staff search's result table shows of each member (member_search_page(fields=...)).
SEARCH_ROW_FIELDS = ("pk", "member_number", "legal_last_name", "legal_first_name", "preferred_name", "email", "nea_id",
                     "membership_status", "latest_category_name", "employer_district__name", "local__name",
                     "career_field__name")


def _in_good_standing(*, paid, amount_due, required_now):
    # dues.term_status: paid >= amount_due or (paid > 0 and paid >= required_now)
    return GreaterThanOrEqual(paid, amount_due) | (GreaterThan(paid, ZERO) & GreaterThanOrEqual(paid, required_now))


def term_status_expression(*, start, end_exclusive, cancelled, renewal, amount_due, paid, required_now,
                           today: date, grace_days: int):
    """dues.term_status written in SQL, over the expressions given (a term's start, its end + 1 day as stored
    in the range, whether it is cancelled and a renewal, what is due, paid and required now). It is tested
    against dues.term_status on a table of cases; change both together."""
    today_v = Value(today)
    return Case(
        When(cancelled, then=Value(dues.TermStatus.CANCELLED.value)),
        When(_in_good_standing(paid=paid, amount_due=amount_due, required_now=required_now),
             then=Case(When(LessThanOrEqual(end_exclusive, today_v), then=Value(dues.TermStatus.EXPIRED.value)),
                       default=Value(dues.TermStatus.ACTIVE.value))),
        When(GreaterThanOrEqual(start, today_v), then=Value(dues.TermStatus.PENDING.value)),
        When(GreaterThanOrEqual(start, Value(today - timedelta(days=grace_days))),
             then=Case(When(renewal, then=Value(dues.TermStatus.GRACE.value)), default=Value(dues.TermStatus.PENDING.value))),
        default=Value(dues.TermStatus.LAPSED.value),
        output_field=CharField(),
    )


def terms_with_status(queryset, *, today: date, grace_days: int):
    """Terms annotated by terms_with_money and with `status_sql`: their status today, computed in SQL."""
    terms = terms_with_money(queryset, required_by=today - timedelta(days=grace_days))
    return terms.annotate(status_sql=term_status_expression(
        start=RangeStartsWith("period"), end_exclusive=RangeEndsWith("period"),
        cancelled=Q(cancelled_at__date__lte=today), renewal=Q(continues__isnull=False),
        amount_due=F("amount_due"), paid=F("paid"), required_now=F("required_now"), today=today, grace_days=grace_days,
    ))


def membership_status(terms: list, *, today: date, grace_days: int) -> str:
    """A member's status this membership year, from their terms (member_terms, with .status):

    - the status of their term of the current membership year (the latest made, if several);
    - else, their latest earlier term was paid up and ended within the grace period: "grace" (they can still
      renew without a break);
    - else, they had a term: "lapsed"; never had one: "none".
    Cancelled terms do not count. members_with_status computes the same in SQL."""
    year = dues.membership_year_for(today)
    live = sorted((t for t in terms if t.cancelled_at is None), key=lambda t: (t.membership_year, t.created_at),
                  reverse=True)
    current = [t for t in live if t.membership_year == year]
    if current:
        return str(current[0].status)
    earlier = [t for t in live if t.membership_year < year]
    if not earlier:
        return "none"
    last = earlier[0]
    if last.status == dues.TermStatus.EXPIRED and today <= last.end + timedelta(days=grace_days):
        return "grace"
    return "lapsed"


def members_with_status(queryset, *, today: date, grace_days: int):
    """Members annotated with `membership_status` (see membership_status, of which this is the SQL form) and
    `latest_category_id` / `latest_category_name` (of their latest term that is not cancelled)."""
    year = dues.membership_year_for(today)
    live = MembershipTerm.objects.filter(member=OuterRef("pk"), cancelled_at__isnull=True)
    # Each subquery sums the term's payments once (terms_with_money) and reads the sums in its CASE.
    current = terms_with_status(live.filter(membership_year=year), today=today, grace_days=grace_days)
    current = current.order_by("-created_at").values("status_sql")[:1]
    earlier = terms_with_money(live.filter(membership_year__lt=year), required_by=today - timedelta(days=grace_days))
    earlier = earlier.annotate(earlier_status=Case(
        When(_in_good_standing(paid=F("paid"), amount_due=F("amount_due"), required_now=F("required_now"))
             & GreaterThan(RangeEndsWith("period"), Value(today - timedelta(days=grace_days))), then=Value("grace")),
        default=Value("lapsed"), output_field=CharField(),
    )).order_by("-membership_year", "-created_at").values("earlier_status")[:1]
    return with_latest_category(queryset.annotate(
        membership_status=Coalesce(Subquery(current), Subquery(earlier), Value("none"), output_field=CharField()),
    ))


def with_latest_category(queryset):
    """Members annotated with `latest_category_id` / `latest_category_name` (of their latest term not cancelled)."""
    latest = (MembershipTerm.objects.filter(member=OuterRef("pk"), cancelled_at__isnull=True)
              .order_by("-membership_year", "-created_at"))
    return queryset.annotate(
        latest_category_id=Subquery(latest.values("category_id")[:1]),
        latest_category_name=Subquery(latest.values("category__name")[:1]),
    )


def _could_have_status(status: str, live, *, today: date, grace_days: int):
    """A condition every member with `status` (as members_with_status) meets, cheap to test: what each
    status needs of the member's terms that are not cancelled (`live`)."""
    year = dues.membership_year_for(today)
    since = today - timedelta(days=grace_days)
    this_year = live.filter(membership_year=year)
    if status == "none":
        return ~Exists(live.filter(membership_year__lte=year))
    if status == "active":
        return Exists(this_year)
    if status == "pending":  # pending ends grace_days after the start at the latest
        return Exists(this_year.filter(period__startswith__gte=since))
    if status == "grace":  # a renewal started within the grace period, or last year's term ended within it
        return (Exists(this_year.filter(continues__isnull=False, period__startswith__gte=since))
                | Exists(live.filter(membership_year__lt=year, period__endswith__gt=since)))
    return Exists(live.filter(membership_year__lte=year))  # lapsed


# The lexicon's names similar to a word, kept per process: (lexicon state, word) -> {"last": [...], "first": [...]}.
# The lexicon only grows (a trigger adds rows, nothing changes or removes them), so its row count and highest id
# change whenever it does: an entry is never read for a lexicon other than the one it was worked out from.
_LEXICON_MATCHES: dict = {}
LEXICON_MATCHES_KEPT = 4096


def _word_lookups(words: list[str]) -> list[tuple[dict, list[int]]]:
    """For each word: the lexicon's last and first names similar to it (%, as the names are), and the districts
    whose name holds it (%>). One query for the lexicon's state and the districts; one more for the words whose
    names are not kept yet."""
    lexicon, district = NameLexicon._meta.db_table, District._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT count(*) || ':' || coalesce(max(id), 0) FROM {lexicon})"
                       + "".join(f", array(SELECT id FROM {district} WHERE name %%> %s ORDER BY name)" for _ in words),
                       words)
        state, *districts = cursor.fetchone()
        missing = sorted({word for word in words if (state, word) not in _LEXICON_MATCHES})
        if missing:
            cursor.execute(" UNION ALL ".join(f"SELECT %s, kind, name FROM {lexicon} WHERE name %% %s" for _ in missing),
                           [p for word in missing for p in (word, word)])
            found = {word: {"last": [], "first": []} for word in missing}
            for word, kind, name in cursor.fetchall():
                found[word][kind].append(name)
            if len(_LEXICON_MATCHES) + len(found) > LEXICON_MATCHES_KEPT:
                _LEXICON_MATCHES.clear()
            _LEXICON_MATCHES.update({(state, word): names for word, names in found.items()})
    return [(_LEXICON_MATCHES[state, word], ids) for word, ids in zip(words, districts, strict=True)]


def _word_matches(word: str, names: dict, districts: list[int]) -> tuple[str, list]:
    """The members a word matches: last or first name similar to it (%), a word of the email similar to it (%>),
    the NEA ID, or the district. A union of one query per index: written as one OR, the planner weighs the
    trigram indexes as dear and reads every member instead (ten times slower on a large roster)."""
    table, quote = Member._meta.db_table, connection.ops.quote_name
    column = {name: quote(Member._meta.get_field(name).column)
              for name in ("legal_last_name", "legal_first_name", "email", "nea_id", "employer_district")}
    # A name is similar to the word when it is one of the lexicon's names similar to it (models.NameLexicon
    # holds every member's names, _word_lookups matched them): the members found by name on a b-tree index.
    branches = [f"SELECT id FROM {table} WHERE {column['email']} %%> %s",
                f"SELECT id FROM {table} WHERE {column['nea_id']} = %s"]
    params = [word, word]
    for field, kind in (("legal_last_name", "last"), ("legal_first_name", "first")):
        if names[kind]:
            branches.append(f"SELECT id FROM {table} WHERE {column[field]} = ANY(%s)")
            params.append(names[kind])
    if districts:
        branches.append(f"SELECT id FROM {table} WHERE {column['employer_district']} = ANY(%s)")
        params.append(districts)
    return " UNION ".join(branches), params


def member_search(*, query: str = "", status: str = "", category=None, career_field=None, local=None, region=None,
                  today: date, grace_days: int, stored_status: bool = False):
    """Members for the staff search, best matches first.

    A number is an exact member number or NEA ID. Words are matched, typos and all, by trigram similarity
    (the GIN trigram indexes on last name, first name and email serve it), by the name of the member's
    school district, or as an exact NEA ID; every word must match something. Status is as members_with_status;
    `stored_status`: shown and filtered from the statuses stored for today (models.MemberStanding), which
    services.standing.member_standing_ready said may be read."""
    members = Member.objects.select_related("local", "employer_district__region", "career_field")
    if stored_status and status:
        # One of the few statuses written into the SQL, not bound: PostgreSQL then keeps one plan for each
        # (a bound status is planned afresh at every search, as how many have it decides the plan). The status
        # shown is the one of the stored row joined.
        known = status in dict(MEMBER_STATUSES)
        members = with_latest_category(members.filter(standing__status=RawSQL(f"'{status}'", ()) if known else status)
                                       .annotate(membership_status=F("standing__status")))
    elif stored_status:
        # A subquery, not a join: PostgreSQL reads it for the page's rows only, after sorting the matches.
        stored = MemberStanding.objects.filter(member=OuterRef("pk")).values("status")[:1]
        members = with_latest_category(members.annotate(
            membership_status=Coalesce(Subquery(stored), Value("none"), output_field=CharField())))
    else:
        members = members_with_status(members, today=today, grace_days=grace_days)
    text = " ".join(query.split())
    if text.isdigit():
        exact = Q(nea_id=text)
        if len(text) <= 18:
            exact |= Q(member_number=int(text))
        members = members.filter(exact).order_by("legal_last_name", "legal_first_name", "member_number")
    elif text:
        words = text.split()[:STAFF_SEARCH_MAX_WORDS]
        score = None
        matches = []
        # Districts are few: find the ones each word names first, so the member filter stays an OR of index scans.
        for word, (names, districts) in zip(words, _word_lookups(words), strict=True):
            # Names are single words: plain similarity (threshold 0.3) forgives a typo ("jonson" is 0.5 from
            # "Johnson"). An email or a district holds the word among others: word similarity (0.6).
            matches.append(_word_matches(word, names, districts))
            word_score = Greatest(TrigramSimilarity("legal_last_name", word), TrigramSimilarity("legal_first_name", word),
                                  TrigramWordSimilarity(word, "email"))
            score = word_score if score is None else score + word_score
        # Every word must match: the members each word matches, intersected, in one subquery.
        members = members.filter(pk__in=RawSQL(" INTERSECT ".join(f"({sql})" for sql, _ in matches),
                                               [p for _, params in matches for p in params]))
        exact_first = Case(When(nea_id=text, then=Value(1)), default=Value(0))
        members = members.annotate(match_score=score, exact_first=exact_first).order_by(
            "-exact_first", "-match_score", "legal_last_name", "legal_first_name", "member_number")
    live = MembershipTerm.objects.filter(member=OuterRef("pk"), cancelled_at__isnull=True)
    if status and not stored_status:
        # The status is worked out per member; first keep only the members who can have it at all (a cheap
        # test on their terms), so a status filter on its own does not work it out for every member.
        # Both as a filter (PostgreSQL may then start from the few matching terms) and inside a CASE (when it
        # starts from the members instead, the status is worked out only for those who pass the test).
        could = _could_have_status(status, live, today=today, grace_days=grace_days)
        members = members.filter(could).annotate(status_if_possible=Case(
            When(could, then=F("membership_status")), default=Value(""), output_field=CharField(),
        )).filter(status_if_possible=status)
    if category is not None:
        members = members.filter(Exists(live.filter(category=category)), latest_category_id=category.pk)
    if career_field is not None:
        members = members.filter(career_field=career_field)
    if local is not None:
        members = members.filter(local=local)
    if region is not None:
        members = members.filter(employer_district__region=region)
    return members


# The staff search's filter lists: field name -> model, and the model's ordering (Meta.ordering) as one sort key and
# a name. str() of each choice is the model's own, as ModelChoiceField shows it.
SEARCH_FILTER_LISTS = {
    "category": (MembershipCategory, "sort_order"), "career_field": (CareerField, "sort_order"),
    "local": (Local, None), "region": (UniServRegion, "number"),
}


@functools.cache
def _filter_choices_sql() -> tuple[str, tuple]:
    # The same every time: built and compiled once per process.
    parts = [model.objects.order_by().annotate(list_kind=Value(kind), list_sort=F(sort) if sort else Value(0))
             .values_list("list_kind", "list_sort", "name", "pk") for kind, (model, sort) in SEARCH_FILTER_LISTS.items()]
    return parts[0].union(*parts[1:], all=True).order_by("list_kind", "list_sort", "name").query.sql_with_params()


# The lists worked out of the rows last read, per process: (rows) -> choices. A change to any list is other rows.
_FILTER_CHOICES: dict = {}


def search_filter_choices() -> dict[str, tuple[tuple[int, str], ...]]:
    """The choices (pk, label) of the staff search's category, career field, local and region filters, in each
    model's order: one query for the four lists, of the two or three columns the labels need."""
    with connection.cursor() as cursor:
        cursor.execute(*_filter_choices_sql())
        rows = tuple(cursor.fetchall())
    choices = _FILTER_CHOICES.get(rows)
    if choices is None:
        lists = {kind: [] for kind in SEARCH_FILTER_LISTS}
        for kind, sort, name, pk in rows:
            model, sort_field = SEARCH_FILTER_LISTS[kind]
            item = model(pk=pk, name=name, **({sort_field: sort} if sort_field else {}))
            lists[kind].append((pk, str(item)))
        _FILTER_CHOICES.clear()  # the lists of other rows are not read again
        choices = _FILTER_CHOICES[rows] = {kind: tuple(items) for kind, items in lists.items()}
    return dict(choices)


class SearchPage:
    """One page of search results, read without counting every match (on a large roster, counting the
    fuzzy matches of a common name costs more than reading the page): per_page + 1 rows are fetched, and
    the extra one only says that a next page exists. `total` is known on the last page only."""

    def __init__(self, rows: list, *, number: int, per_page: int):
        self.object_list = rows[:per_page]
        self.number = number
        self.per_page = per_page
        self._more = len(rows) > per_page

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self._more or self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)

    @property
    def total(self) -> int | None:
        """How many members matched, when this page shows the last of them; else None (more than end_index)."""
        return None if self._more else self.end_index()


def _page_number(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def queryset_page(queryset, *, page_number, per_page: int) -> SearchPage:
    """One page (SearchPage) of an ordered queryset, without counting it: per_page + 1 rows read."""
    number = _page_number(page_number)
    offset = (number - 1) * per_page
    return SearchPage(list(queryset[offset:offset + per_page + 1]), number=number, per_page=per_page)


def compiled_page(key: tuple, build, *, page_number, per_page: int) -> SearchPage:
    """queryset_page of the ordered values_list(named=True) queryset `build()` makes, read by compiled_rows: its
    SQL compiled once per `key` (everything the queryset is made of) and page."""
    number = _page_number(page_number)
    offset = (number - 1) * per_page
    rows = compiled_rows((*key, offset, per_page), lambda: build()[offset:offset + per_page + 1])
    return SearchPage(rows, number=number, per_page=per_page)


# A text search's matches in order (ids), kept in the shared cache under the search version: migration 0013 gives
# it a new value in the same transaction as any write to what the words match or sort on (members' names, email,
# NEA ID, district, number; districts' names), so kept matches are never read after such a change is committed.
# Only the first MATCHES_KEPT are kept; a page past them, or a search with other filters, reads the matches afresh.
MATCHES_KEPT = 1000
MATCHES_KEPT_SECONDS = 3600
# Past this many rows a search by status alone may be estimated dear enough for JIT (jit_above_cost 100,000).
HINTLESS_OFFSET = 500
_OTHER_FILTERS = ("status", "category", "career_field", "local", "region")


# The SQL of pages read often, compiled once per process: building and compiling the queryset of a page costs more
# than PostgreSQL takes to run it. Keyed on everything the SQL is made of, so a key always stands for the same SQL.
_COMPILED: dict = {}
COMPILED_KEPT = 1024


def compiled_rows(key: tuple, build, *, values: tuple = ()) -> list:
    """The rows of the values_list(named=True) queryset `build(*values)` makes, as that queryset gives them; its
    SQL is compiled the first time `key` is asked for, then run as it is, each of `values` (objects the queryset
    takes as one parameter each, a list of ids say) bound where it was. A queryset whose rows need more than its
    columns (converters, extra columns), or that does not hold each value once, is read through the ORM."""
    compiled = _COMPILED.get(key)
    if compiled is None:
        queryset = build(*values)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        names = [alias for _, _, alias in compiler.select]
        where = [[i for i, param in enumerate(params) if param is value] for value in values]
        if (queryset._iterable_class is not NamedValuesListIterable or names != list(queryset._fields)
                or compiler.col_count != len(names) or compiler.get_converters([col for col, _, _ in compiler.select])
                or any(len(places) != 1 for places in where)):
            return list(queryset)
        if len(_COMPILED) >= COMPILED_KEPT:
            _COMPILED.clear()
        compiled = _COMPILED[key] = (sql, params, [places[0] for places in where], create_namedtuple_class(*names))
    sql, params, places, row = compiled
    if places:
        params = list(params)
        for place, value in zip(places, values, strict=True):
            params[place] = value
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple.__new__(row, found) for found in cursor.fetchall()]


def _planner_hints(cursor, *, text_search: bool):
    cursor.execute("SELECT set_config('jit', 'off', true)"
                   + (", set_config('enable_seqscan', 'off', true), set_config('enable_hashjoin', 'off', true),"
                      " set_config('enable_mergejoin', 'off', true)" if text_search else ""))


def _kept_matches(text: str, criteria: dict) -> tuple[list[int], bool]:
    """The ids of the first MATCHES_KEPT members `text` matches, best first, and whether that is all of them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM members_search_version WHERE id = 1")
        version = cursor.fetchone()[0]
    key = f"mae:member-search:{version}:{hashlib.sha256(text.encode()).hexdigest()}"
    kept = cache.get(key)
    if kept is None:
        matches = member_search(query=text, **criteria).values_list("pk", flat=True)
        with transaction.atomic(), connection.cursor() as cursor:
            _planner_hints(cursor, text_search=True)
            ids = list(matches[:MATCHES_KEPT + 1])
        kept = (ids[:MATCHES_KEPT], len(ids) <= MATCHES_KEPT)
        cache.set(key, kept, MATCHES_KEPT_SECONDS)
    return kept


def _criteria_key(criteria: dict) -> tuple:
    # What member_search's SQL is made of, besides the words: a chosen row by its primary key.
    return tuple(sorted((name, value.pk if isinstance(value, Model) else value) for name, value in criteria.items()))


def _id_in(ids: list):
    # One array parameter, whatever the number of ids (pk__in would bind one parameter per id).
    quote = connection.ops.quote_name
    column = f"{quote(Member._meta.db_table)}.{quote(Member._meta.pk.column)}"
    return RawSQL(f"{column} = ANY(%s::bigint[])", (ids,), output_field=BooleanField())


# A stored status's members in order (ids), kept in the shared cache as a text search's matches are: under the
# search version (what they are sorted on: names, number; members added or removed) and, in the entry, the stored
# statuses' version, which services.standing moves whenever it writes statuses (at once, and again once committed),
# so kept ids are never read after either changed. The page's rows are then read by id, their status with them.
STANDING_VERSION_KEY = "members:standing-version"
STATUS_KEPT = 500


def standing_changed() -> None:
    """Stored statuses were written: kept status ids are not read again (now, and again after the commit, so no
    search keeps what it read in between under the new version)."""
    def move():
        cache.set(scoped_key(STANDING_VERSION_KEY), uuid.uuid4().hex, None)

    move()
    transaction.on_commit(move)


def _kept_by_status(status: str, criteria: dict) -> tuple[list[int], bool]:
    """The ids of the first STATUS_KEPT members of a stored status, in order, and whether that is all of them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM members_search_version WHERE id = 1")
        version = cursor.fetchone()[0]
    standing_key = scoped_key(STANDING_VERSION_KEY)
    key = f"mae:member-status:{version}:{status}:{criteria['today'].isoformat()}:{criteria['grace_days']}"
    kept = cache.get_many([standing_key, key])
    standing, entry = kept.get(standing_key), kept.get(key)
    if standing is None:  # never moved, or evicted: a new one, which no entry was kept under
        cache.add(standing_key, uuid.uuid4().hex, None)
        standing = cache.get(standing_key)
    if entry is not None and entry[0] == standing:
        return entry[1], entry[2]
    members = member_search(status=status, **criteria).values_list("pk", flat=True)
    with transaction.atomic(), connection.cursor() as cursor:
        _planner_hints(cursor, text_search=False)
        ids = list(members[:STATUS_KEPT + 1])
    if not transaction.get_connection().in_atomic_block:  # it may have read this transaction's statuses
        cache.set(key, (standing, ids[:STATUS_KEPT], len(ids) <= STATUS_KEPT), MATCHES_KEPT_SECONDS)
    return ids[:STATUS_KEPT], len(ids) <= STATUS_KEPT


def _page_by_ids(ids: list[int], *, fields, criteria, number: int, per_page: int) -> SearchPage:
    """The page of `ids` (per_page + 1 of them: the extra one says a next page exists), read by id: SQL compiled
    once, the ids bound as one array."""
    if not ids:
        return SearchPage([], number=number, per_page=per_page)
    rows = compiled_rows(("member-search-ids", fields, *_criteria_key(criteria)), lambda page_ids: (
        member_search(**criteria).filter(_id_in(page_ids)).values_list(*fields, named=True)), values=(ids,))
    found = {row.pk: row for row in rows}
    return SearchPage([found[pk] for pk in ids if pk in found], number=number, per_page=per_page)


def member_search_page(*, page_number, per_page: int = 50, query: str = "", fields: tuple[str, ...] = (),
                       **criteria) -> SearchPage:
    """One page (SearchPage) of member_search, read in one transaction in which PostgreSQL is told two things
    its planner gets wrong for this query:

    - JIT compilation off: the per-member status subqueries make the estimated cost high enough for JIT,
      which then spends over a second compiling a query that runs in a few dozen milliseconds;
    - for a text search, no sequential scan: the trigram operators are declared as cheap as `=`, so on a
      large roster the planner prefers computing similarity on every row (10-20 times slower than the GIN
      trigram indexes); and no hash or merge join, which would then read every member by its index to join
      the few hundred the words matched (looked up one by one instead).

    A text search on its own reads the order of its matches from the cache (_kept_matches), then only the page's
    members. `fields`: the rows are named tuples of these (.values_list(named=True), "pk" among them), not members:
    no model built, no column or join unread."""
    text = " ".join(query.split())
    text_search = bool(text) and not text.isdigit()
    number = _page_number(page_number)
    offset = (number - 1) * per_page
    if (text_search and offset + per_page < MATCHES_KEPT and not any(criteria.get(name) for name in _OTHER_FILTERS)
            and (not fields or "pk" in fields)):
        ids, complete = _kept_matches(text, criteria)
        if complete or offset + per_page < len(ids):
            page_ids = ids[offset:offset + per_page + 1]
            # A page's members by id: no hint needed (too cheap for JIT).
            if fields:
                return _page_by_ids(page_ids, fields=fields, criteria=criteria, number=number, per_page=per_page)
            found = {row.pk: row for row in member_search(**criteria).filter(pk__in=page_ids)}
            return SearchPage([found[pk] for pk in page_ids if pk in found], number=number, per_page=per_page)
    stored_first_pages = not text_search and criteria.get("stored_status") and offset < HINTLESS_OFFSET
    status = criteria.get("status")
    if (stored_first_pages and not text and fields and "pk" in fields and status in dict(MEMBER_STATUSES)
            and offset + per_page < STATUS_KEPT and not any(criteria.get(name) for name in _OTHER_FILTERS[1:])):
        # A stored status on its own: the order of its members from the cache, then only the page's members
        # (by id, and still of that status: a member whose status changed since is not shown).
        ids, complete = _kept_by_status(status, {k: v for k, v in criteria.items() if k != "status"})
        if complete or offset + per_page < len(ids):
            return _page_by_ids(ids[offset:offset + per_page + 1], fields=fields, criteria=criteria, number=number,
                                per_page=per_page)
    if stored_first_pages and not text and fields:
        # The pages read most (a status, the filters, or nothing chosen): their SQL compiled once.
        return compiled_page(("member-search", fields, *_criteria_key(criteria)),
                             lambda: member_search(**criteria).values_list(*fields, named=True),
                             page_number=number, per_page=per_page)
    members = member_search(query=query, **criteria)
    if fields:
        members = members.values_list(*fields, named=True)
    if stored_first_pages:
        # Statuses read from the stored ones: a first page is estimated far below JIT's threshold (about 20-70 per
        # row read), so it is read without the hints' transaction (three round trips fewer).
        return SearchPage(list(members[offset:offset + per_page + 1]), number=number, per_page=per_page)
    with transaction.atomic(), connection.cursor() as cursor:
        _planner_hints(cursor, text_search=text_search)
        rows = list(members[offset:offset + per_page + 1])
    return SearchPage(rows, number=number, per_page=per_page)
