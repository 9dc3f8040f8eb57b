"""Occupations: which job a title names, whatever words it uses.

Two titles can name the same job without sharing a word ("Account Executive" and "Inside Sales
Representative" are both sellers; "Recruiting Coordinator" and "Candidate Experience
Specialist" both schedule interviews), and share a word while naming different jobs ("Sales
Engineer" and "Security Research Engineer"). Word overlap and WordLlama's title embeddings miss
both (the cosine of "account executive" and "sales representative" is 0.10). This module is a
small thesaurus of the job titles companies use, grouped by occupation the way labour-market
classifications group them (O*NET's and ESCO's reported titles): a title's phrases are looked up
in it, longest first.

The list is general knowledge about job titles, not about any ladder: it names no company's
family. A phrase naming two occupations ("business development" is selling or partnerships)
belongs to both, and the matcher lets the rest of the posting decide.

>>> sorted(occupations("Senior Account Executive, EMEA"))
['sales']
>>> sorted(occupations("Manager, Inside Sales"))
['sales']
>>> sorted(occupations("Sales Operations Analyst"))
['revenue-operations']
>>> sorted(occupations("Online Sales Self Service Operations Analyst"))
[]
"""

import re
from functools import cache, lru_cache

# occupation → the title phrases that name it (seniority words are ignored: "Senior", "Staff").
OCCUPATIONS: dict[str, tuple[str, ...]] = {
    # Selling: the quota-carrying roles and the people who lead them.
    "sales": (
        "sales",
        "sales representative",
        "sales rep",
        "sales executive",
        "sales consultant",
        "sales specialist",
        "account executive",
        "account manager",
        "inside sales",
        "outside sales",
        "field sales",
        "enterprise sales",
        "commercial sales",
        "new business",
        "business development",
        "business development manager",
        "business development executive",
        "territory manager",
        "territory sales",
        "area sales",
        "regional sales",
        "chief revenue officer",
    ),
    "sales-development": (
        "sales development",
        "sales development representative",
        "business development representative",
        "sdr",
        "bdr",
        "lead development",
    ),
    # Customer-facing technical roles before and after the sale.
    "solutions": (
        "sales engineer",
        "solutions engineer",
        "solution engineer",
        "solutions architect",
        "solution architect",
        "solutions consultant",
        "presales",
        "pre sales",
        "technical architect",
        "technical consultant",
        "professional services",
        "professional services engineer",
        "implementation",
        "implementation engineer",
        "implementation consultant",
        "customer engineer",
        "field engineer",
        "engagement manager",
        "engagement management",
    ),
    "customer-success": (
        "customer success",
        "customer success manager",
        "client success",
        "technical account manager",
        "customer advocate",
        "customer experience",
        "renewals",
        "renewal",
        "account management",
        "onboarding",
        "onboarding specialist",
    ),
    "revenue-operations": (
        "sales operations",
        "revenue operations",
        "sales ops",
        "revops",
        "go to market operations",
        "gtm operations",
        "gtm planning",
        "go to market planning",
        "field operations",
        "customer success operations",
        "renewals operations",
        "renewal operations",
        "sales strategy",
        "sales analytics",
        "sales planning",
        "sales commissions",
        "commissions",
        "deal desk",
        "deal strategist",
        "quote to cash",
    ),
    "enablement": (
        "sales enablement",
        "field enablement",
        "enablement",
        "sales training",
        "sales trainer",
    ),
    "partnerships": (
        "partnerships",
        "partner manager",
        "partner account manager",
        "alliance",
        "alliances",
        "channel",
        "channel sales",
        "channel manager",
        "channel account manager",
        "business development",
        "strategic partnerships",
        "technology partner",
    ),
    "marketing": (
        "marketing",
        "marketing manager",
        "growth marketing",
        "demand generation",
        "field marketing",
        "integrated marketing",
        "digital marketing",
        "performance marketing",
        "campaign manager",
        "brand",
        "brand manager",
        "brand strategy",
        "event marketing",
        "events",
        "digital experience",
    ),
    "product-marketing": (
        "product marketing",
        "product marketing manager",
        "solutions marketing",
        "technical marketing",
        "competitive intelligence",
        "market insights",
        "partner marketing",
        "channel marketing",
    ),
    "marketing-operations": (
        "marketing operations",
        "marketing ops",
        "marketing automation",
        "marketing technology",
    ),
    "content": (
        "content",
        "content marketing",
        "content strategist",
        "content manager",
        "content editor",
        "copywriter",
        "editor",
        "managing editor",
        "writer",
        "communications",
        "corporate communications",
        "public relations",
        "pr",
        "social media",
        "localization",
        "globalization",
    ),
    "technical-writing": (
        "technical writer",
        "technical writing",
        "documentation",
        "documentation engineer",
        "docs",
        "instructional designer",
        "technical instructional designer",
        "curriculum developer",
    ),
    "developer-relations": (
        "developer relations",
        "devrel",
        "developer advocate",
        "developer evangelist",
        "evangelist",
        "community",
        "community manager",
        "open source program",
    ),
    "product-management": (
        "product manager",
        "product management",
        "product owner",
        "growth product manager",
        "technical product manager",
        "chief product officer",
    ),
    "design": (
        "designer",
        "product designer",
        "product design",
        "ux",
        "ux designer",
        "ui designer",
        "ui ux",
        "ux ui",
        "visual designer",
        "interaction designer",
    ),
    "ux-research": (
        "ux research",
        "ux researcher",
        "user research",
        "user researcher",
        "design research",
    ),
    "software-engineering": (
        "software engineer",
        "software developer",
        "software development",
        "developer",
        "programmer",
        "backend",
        "backend engineer",
        "backend developer",
        "frontend",
        "frontend engineer",
        "frontend developer",
        "fullstack",
        "fullstack engineer",
        "fullstack developer",
        "web developer",
        "mobile engineer",
        "mobile developer",
        "ios engineer",
        "android engineer",
        "software architect",
        "engineering",
        "development",
        "distinguished engineer",
        "engineering fellow",
        "chief technology officer",
    ),
    "quality-engineering": (
        "software engineer in test",
        "test engineer",
        "test automation",
        "qa",
        "qa engineer",
        "quality assurance",
        "quality engineer",
        "sdet",
    ),
    "infrastructure": (
        "site reliability",
        "site reliability engineer",
        "sre",
        "devops",
        "devops engineer",
        "infrastructure",
        "infrastructure engineer",
        "platform engineer",
        "cloud engineer",
        "database reliability",
        "production engineer",
    ),
    "security": (
        "security",
        "security engineer",
        "security analyst",
        "application security",
        "appsec",
        "infrastructure security",
        "security research",
        "security researcher",
        "threat intelligence",
        "vulnerability research",
        "security operations",
        "incident response",
        "penetration tester",
        "red team",
        "field security",
        "security governance",
        "security logging",
        "cybersecurity",
        "it security",
        "it security engineer",
        "cyber security",
    ),
    "risk-compliance": (
        "compliance",
        "risk",
        "governance",
        "grc",
        "audit",
        "auditor",
        "internal audit",
        "it compliance",
        "security compliance",
        "security governance",
        "security assurance",
        "sox",
        "privacy",
    ),
    "it": (
        "it",
        "information technology",
        "it support",
        "helpdesk",
        "help desk",
        "it operations",
        "it systems",
        "it systems engineer",
        "systems administrator",
        "system administration",
        "system administrator",
        "sysadmin",
        "desktop support",
        "end user services",
        "it security",
        "it security engineer",
    ),
    "business-systems": (
        "business systems",
        "business systems engineer",
        "business systems analyst",
        "enterprise applications",
        "sales systems",
        "business technology",
        "salesforce administrator",
        "salesforce developer",
        "erp",
    ),
    "data-engineering": (
        "data",
        "data engineer",
        "data engineering",
        "analytics engineer",
        "data platform",
        "big data",
        "etl developer",
    ),
    "data-analysis": (
        "data",
        "data analyst",
        "data analytics",
        "analytics",
        "business intelligence",
        "bi analyst",
        "bi developer",
        "insights",
        "analytics and insights",
        "product analyst",
        "web analyst",
        "data insights",
        "people analytics",
    ),
    "data-science": (
        "data",
        "data scientist",
        "data science",
        "machine learning",
        "machine learning engineer",
        "ml engineer",
        "ai engineer",
        "applied scientist",
        "research scientist",
    ),
    "support": (
        "support",
        "support engineer",
        "customer support",
        "technical support",
        "support specialist",
        "support agent",
        "customer service",
        "support readiness",
        "support operations",
    ),
    "finance": (
        "finance",
        "financial analyst",
        "financial planning",
        "financial planning and analysis",
        "fp&a",
        "fpa",
        "controller",
        "treasury",
        "treasury analyst",
        "chief financial officer",
        "investor relations",
        "pricing",
        "pricing analyst",
    ),
    "accounting": (
        "accountant",
        "accounting",
        "accounts payable",
        "accounts receivable",
        "billing",
        "general ledger",
        "revenue accounting",
        "revenue accountant",
        "technical accounting",
        "bookkeeper",
        "record to report",
        "sec reporting",
        "sec",
        "financial reporting",
        "tax",
        "tax analyst",
        "payroll",
    ),
    "procurement": (
        "procurement",
        "purchasing",
        "buyer",
        "vendor management",
        "category manager",
    ),
    "legal": (
        "legal",
        "counsel",
        "general counsel",
        "attorney",
        "lawyer",
        "paralegal",
        "legal operations",
        "legal engineer",
        "contracts",
        "contracts manager",
        "chief legal officer",
        "corporate secretary",
    ),
    "people": (
        "people",
        "people business partner",
        "hr business partner",
        "hrbp",
        "human resources",
        "hr",
        "people operations",
        "people ops",
        "people partner",
        "people connect",
        "people success",
        "people experience",
        "hr generalist",
        "employee relations",
        "employment solutions",
        "people compliance",
        "people tools",
        "chief people officer",
        "compensation",
        "total rewards",
        "benefits",
        "diversity",
        "diversity inclusion",
        "inclusion",
        "dei",
        "people communications",
        "people communications and engagement",
        "internal communications",
        "employee engagement",
    ),
    "learning-development": (
        "learning development",
        "learning",
        "training",
        "l&d",
        "organisational development",
        "organizational development",
        "education",
        "education services",
        "technical instructor",
        "trainer",
        "instructor",
        "talent development",
    ),
    "recruiting": (
        "recruiter",
        "recruiting",
        "recruitment",
        "talent acquisition",
        "sourcer",
        "sourcing",
        "talent partner",
        "executive search",
        "recruiting coordinator",
        "recruitment coordinator",
        "candidate experience",
        "talent brand",
        "employer brand",
    ),
    "recruiting-coordination": (
        "recruiting coordinator",
        "recruitment coordinator",
        "interview coordinator",
        "candidate experience",
        "recruiting operations",
    ),
    "program-management": (
        "program manager",
        "program management",
        "project manager",
        "project management",
        "technical program manager",
        "pmo",
    ),
    "strategy-operations": (
        "strategy",
        "strategy and operations",
        "business operations",
        "strategy consultant",
        "management consultant",
        "corporate development",
    ),
    "administration": (
        "executive assistant",
        "administrative assistant",
        "executive business administrator",
        "office manager",
        "administrator",
        "receptionist",
    ),
}

# Words that say how high or what kind of holder, not which occupation: after an occupation's
# phrase they keep it ("Sales Director" is selling); any other word after it makes the phrase a
# qualifier of another job ("Sales Operations Analyst", "Online Sales Self Service Operations").
_GENERIC_WORDS = frozenset(
    """manager director vp head chief officer president analyst specialist representative rep
    executive associate lead leader partner coordinator consultant professional team member
    engineer developer expert generalist advisor adviser owner agent
    strategist programme program emea apac amer americas latam dach uk us eu europe remote
    global international regional area market mid smb enterprise public sector federal
    hybrid management leadership operations planning organization organisation
    department group growth technology""".split()  # noqa: SIM905
)
_IGNORED = frozenset(
    """of and the for in to a an with at on senior sr junior jr associate intermediate mid staff
    principal i ii iii iv intern internship trainee entry level job family families matrix role
    roles responsibilities levels description""".split()  # noqa: SIM905
)


def _fold(word: str) -> str:
    # "Engineers" → "engineer"; "Engineering" stays (a function, not a holder).
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


GENERIC = frozenset(_fold(w) for w in _GENERIC_WORDS)


def _words(text: str) -> list[str]:
    lowered = text.lower().replace("’", "'").replace("&", " and ")
    lowered = re.sub(r"\bvice[- ]president\b", "vp", lowered)
    lowered = lowered.replace("full stack", "fullstack").replace("pre-sales", "presales")
    return [_fold(w) for w in re.findall(r"[a-z0-9+]+", lowered) if w not in _IGNORED]


@cache
def _phrases() -> dict[tuple[str, ...], frozenset[str]]:
    phrases: dict[tuple[str, ...], set[str]] = {}
    for occupation, titles in OCCUPATIONS.items():
        for title in titles:
            phrases.setdefault(tuple(_words(title)), set()).add(occupation)
    return {phrase: frozenset(names) for phrase, names in phrases.items() if phrase}


# Phrases too broad to name a job next to a more precise one in the same part ("Support
# Engineering" is support, "Education Curriculum Development" is not software).
_BROAD = frozenset({("engineering",), ("development",), ("data",)})


def _phrase_at(words: list[str], i: int, phrases: dict, longest: int) -> int:
    """The length of the longest known phrase starting at word ``i``, 0 when none does."""
    for size in range(min(longest, len(words) - i), 0, -1):
        if tuple(words[i : i + size]) in phrases:
            return size
    return 0


def _only_holders(words: list[str], i: int, phrases: dict, longest: int) -> bool:
    """Whether words ``i``… are holder words and known phrases only (so a phrase before them
    names the job, not a qualifier of another one)."""
    while i < len(words):
        if words[i] in GENERIC:
            i += 1
        elif size := _phrase_at(words, i, phrases, longest):
            i += size
        else:
            return False
    return True


def _named_phrases(title: str) -> list[list[tuple[str, ...]]]:
    """Per part of the title (split at commas, slashes, dashes and "for"; a parenthesis is a
    qualifier and is left out), the known phrases that name a job: each longest phrase that
    only holder words and other phrases follow, broad ones only when nothing more precise is
    named."""
    phrases = _phrases()
    longest = max(len(p) for p in phrases)
    title = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", title)
    parts = []
    for part in re.split(r"[,/|]|\s[-–—:]\s|\bfor\b", title):
        words = _words(part)
        named: list[tuple[str, ...]] = []
        i = 0
        while i < len(words):
            size = _phrase_at(words, i, phrases, longest)
            if not size:
                i += 1
                continue
            if _only_holders(words, i + size, phrases, longest):
                named.append(tuple(words[i : i + size]))
            i += size
        precise = [p for p in named if p not in _BROAD]
        parts.append(precise or named)
    return parts


@lru_cache(maxsize=65536)  # level titles and posting titles: bounded
def occupations(title: str) -> frozenset[str]:
    """Every occupation a job title names ("Alliances Business Development Manager": selling
    and partnerships)."""
    phrases = _phrases()
    return frozenset(name for part in _named_phrases(title) for p in part for name in phrases[p])


@lru_cache(maxsize=65536)
def head_occupations(title: str) -> frozenset[str]:
    """The occupations of the phrase that names what the job is: the last one of the title's
    first part that names any ("Executive Sales Administrator" is an administrator working in
    sales: administration, not selling).

    >>> sorted(head_occupations("Executive Sales Administrator"))
    ['administration']
    >>> sorted(head_occupations("Manager, Inside Sales"))
    ['sales']
    """
    for part in _named_phrases(title):
        if part:
            return _phrases()[part[-1]]
    return frozenset()
