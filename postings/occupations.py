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
``tests/data/job_titles.txt`` holds some 800 real titles of every function with the
occupations a reader gives them; the tests check each one.

How a title is read:

- one spelling per word: gender markers ("m/w/d") and level codes ("L5") dropped, British
  spellings and "Vice-President" normalised, words written apart joined when the thesaurus
  writes them as one ("Front-End", "Pre-Sales", "Help Desk");
- parts: commas, slashes, spaced dashes and "for", "to the", "at", "in", "with" cut a title
  into parts; the first part that names a job is the job, a later part adds one only where
  it names a person ("Solution Architect - Data Engineer"), not a function the job serves
  ("Product Manager - Marketing");
- in a part, longer phrases first; a phrase names a job when only holder words ("Manager",
  "Lead", "Germany") and other phrases follow it; a broad one ("Engineering", "Product",
  "Operations") only when the part says nothing else;
- the head is the first naming part's last phrase, with those "and" joins to it.

>>> sorted(occupations("Senior Account Executive, EMEA"))
['sales']
>>> sorted(occupations("Manager, Inside Sales"))
['sales']
>>> sorted(occupations("Sales Operations Analyst"))
['revenue-operations']
>>> sorted(occupations("Online Sales Self Service Operations Analyst"))
[]
"""

import html
import re
from collections.abc import Container
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
        "salesperson",
        "sales person",
        "salespeople",
        "sales associate",
        "sales lead",
        "sales leader",
        "sales director",
        "ae",
        "account director",
        "account lead",
        "key account manager",
        "key account",
        "strategic account executive",
        "strategic account leader",
        "strategic account",
        "major account",
        "named account",
        "inbound sales",
        "outbound sales",
        "direct sales",
        "national account",
        "cro",
        "client partner",
        "client director",
        "sales agent",
        "chief commercial officer",
    ),
    "sales-development": (
        "sales development",
        "sales development representative",
        "business development representative",
        "sdr",
        "bdr",
        "lead development",
        "sales development rep",
        "business development rep",
        "market development representative",
        "mdr",
        "lead generation representative",
        "inbound sdr",
        "outbound sdr",
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
        "se",
        "sales engineering",
        "solutions engineering",
        "solution engineering",
        "solutions architecture",
        "solution consultant",
        "presales engineer",
        "presales consultant",
        "customer engineering",
        "field cto",
        "forward deployed engineer",
        "deployment strategist",
        "integration engineer",
        "value engineer",
        "value consultant",
        "demo engineer",
        "post sales",
        "postsales",
        "delivery consultant",
        "resident engineer",
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
        "csm",
        "customer success engineer",
        "customer success specialist",
        "customer success lead",
        "tam",
        "technical account management",
        "client success manager",
        "account manager",
        "customer engagement",
        "renewals manager",
        "renewal manager",
        "customer onboarding",
        "adoption",
        "customer adoption",
        "customer outcomes",
        "client services",
        "client service",
        "customer relationship manager",
        "chief customer officer",
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
        "rev ops",
        "sales operations analyst",
        "commercial operations",
        "sales compensation",
        "incentive compensation",
        "territory planning",
        "channel operations",
        "partner operations",
        "cpq",
        "order management",
    ),
    "enablement": (
        "sales enablement",
        "field enablement",
        "enablement",
        "sales training",
        "sales trainer",
        "revenue enablement",
        "gtm enablement",
        "sales readiness",
        "partner enablement",
        "customer enablement",
        "sales coach",
        "sales coaching",
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
        "partnership",
        "partnerships manager",
        "partner development",
        "partner sales",
        "alliance manager",
        "alliances manager",
        "channel partner",
        "reseller",
        "distribution partner",
        "ecosystem",
        "isv partner",
        "partner programs",
        "partner program",
        "partner success",
        "partner success manager",
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
        "marketer",
        "growth marketer",
        "marketing specialist",
        "marketing coordinator",
        "marketing associate",
        "demand gen",
        "lifecycle marketing",
        "email marketing",
        "crm marketing",
        "seo",
        "sem",
        "search engine optimization",
        "paid media",
        "paid search",
        "paid social",
        "acquisition marketing",
        "customer marketing",
        "account based marketing",
        "abm",
        "marketing campaigns",
        "campaigns",
        "events manager",
        "event manager",
        "event planner",
        "corporate events",
        "field marketer",
        "cmo",
        "chief marketing officer",
        "influencer marketing",
        "affiliate marketing",
        "web marketing",
        "web strategy",
        "marketing analyst",
        "customer reference",
        "customer advocacy",
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
        "pmm",
        "go to market strategy",
        "market research",
        "analyst relations",
        "customer insights",
        "product marketer",
    ),
    "marketing-operations": (
        "marketing operations",
        "marketing ops",
        "marketing automation",
        "marketing technology",
        "mops",
        "marketing analytics",
        "marketing systems",
        "marketo",
        "hubspot",
        "marketing data",
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
        "content writer",
        "content designer",
        "content design",
        "ux writer",
        "ux writing",
        "content creator",
        "content producer",
        "video producer",
        "producer",
        "journalist",
        "editorial",
        "comms",
        "communications manager",
        "pr manager",
        "media relations",
        "public affairs",
        "press",
        "social media manager",
        "translator",
        "translation",
        "localisation",
        "speechwriter",
        "storyteller",
        "internal communications",
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
        "technical documentation",
        "api documentation",
        "docs engineer",
        "information developer",
        "information architect",
        "instructional design",
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
        "developer advocacy",
        "developer experience",
        "community advocate",
        "community programs",
        "community operations",
        "community lead",
        "technical evangelist",
        "open source",
    ),
    "product-management": (
        "product manager",
        "product management",
        "product owner",
        "growth product manager",
        "technical product manager",
        "chief product officer",
        "product",
        "pm",
        "product lead",
        "product leader",
        "product director",
        "product operations",
        "product ops",
        "apm",
        "associate product manager",
        "group product manager",
        "principal product manager",
        "platform product manager",
        "product strategy",
        "cpo",
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
        "design",
        "ui",
        "ui ux designer",
        "ux ui designer",
        "ux design",
        "ui design",
        "user experience",
        "user experience designer",
        "user interface",
        "user interface designer",
        "graphic designer",
        "graphic design",
        "brand designer",
        "web designer",
        "motion designer",
        "illustrator",
        "creative director",
        "art director",
        "creative",
        "design systems",
        "design operations",
        "designops",
        "service designer",
        "service design",
        "content designer",
        "content design",
        "ux writer",
        "ux writing",
        "design lead",
        "ux engineer",
        "design technologist",
        "ux architect",
    ),
    "ux-research": (
        "ux research",
        "ux researcher",
        "user research",
        "user researcher",
        "design research",
        "user experience research",
        "user experience researcher",
        "research operations",
        "researchops",
        "ux research operations",
        "usability",
        "usability researcher",
        "design researcher",
        "product researcher",
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
        "swe",
        "software engineering",
        "software dev",
        "sde",
        "web engineer",
        "web development",
        "application developer",
        "application engineer",
        "applications engineer",
        "ios",
        "ios developer",
        "android",
        "android developer",
        "react native",
        "game developer",
        "embedded software",
        "firmware engineer",
        "em",
        "product engineer",
        "systems software",
        "java developer",
        "python developer",
        "javascript developer",
        "golang developer",
        "ruby developer",
        "php developer",
        "net developer",
        "react developer",
        "node developer",
        "rails developer",
        "compiler engineer",
        "distributed systems",
        "cto",
        "coder",
        "tech lead",
        "technical lead",
        "member of technical staff",
        "mts",
        "ui engineer",
        "ui developer",
        "mobile engineering",
        "ios engineering",
        "android engineering",
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
        "qa analyst",
        "qa tester",
        "qa automation",
        "qa lead",
        "quality assurance engineer",
        "quality assurance analyst",
        "software tester",
        "tester",
        "testing",
        "test analyst",
        "automation tester",
        "quality",
        "engineering productivity",
        "software development engineer in test",
        "engineer in test",
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
        "site reliability engineering",
        "dbre",
        "database reliability engineer",
        "database engineer",
        "database administrator",
        "dba",
        "platform engineering",
        "cloud architect",
        "cloud infrastructure",
        "cloud operations",
        "devops engineering",
        "devsecops",
        "mlops",
        "build engineer",
        "release engineer",
        "release engineering",
        "release manager",
        "reliability engineer",
        "systems engineer",
        "systems engineering",
        "linux engineer",
        "linux administrator",
        "kubernetes",
        "network engineer",
        "network engineering",
        "noc",
        "storage engineer",
        "observability",
        "production operations",
        "delivery engineer",
        "distribution engineer",
        "tooling engineer",
        "developer productivity",
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
        "security architect",
        "security architecture",
        "security automation",
        "security consultant",
        "security specialist",
        "information security",
        "infosec",
        "infosec engineer",
        "ciso",
        "chief information security officer",
        "chief security officer",
        "cso",
        "soc",
        "soc analyst",
        "detection engineer",
        "detection and response",
        "pentester",
        "penetration testing",
        "offensive security",
        "product security",
        "cloud security",
        "network security",
        "identity and access management",
        "iam",
        "trust and safety",
        "abuse",
        "vulnerability management",
        "secops",
        "security incident response",
        "malware",
        "threat",
        "forensics",
        "security operations center",
        "security incident",
        "security awareness",
        "security risk",
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
        "compliance officer",
        "compliance analyst",
        "compliance manager",
        "risk manager",
        "risk analyst",
        "risk management",
        "enterprise risk",
        "operational risk",
        "governance risk and compliance",
        "grc analyst",
        "it audit",
        "it auditor",
        "privacy officer",
        "data protection",
        "data protection officer",
        "dpo",
        "regulatory",
        "regulatory affairs",
        "anti money laundering",
        "aml",
        "kyc",
        "fraud",
        "fraud analyst",
        "sox compliance",
        "esg",
        "sustainability",
        "resilience",
        "business continuity",
        "security risk",
        "it risk",
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
        "it manager",
        "it director",
        "it specialist",
        "it technician",
        "it analyst",
        "it administrator",
        "it engineer",
        "it helpdesk",
        "service desk",
        "it service desk",
        "it service management",
        "itsm",
        "desktop engineer",
        "end user computing",
        "end user support",
        "workplace technology",
        "corporate it",
        "enterprise it",
        "network administrator",
        "network administration",
        "cio",
        "chief information officer",
        "it asset management",
        "identity engineer",
        "collaboration engineer",
        "technology support",
        "system admin",
        "systems admin",
        "it admin",
        "service desk analyst",
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
        "business applications",
        "enterprise systems",
        "salesforce",
        "salesforce admin",
        "salesforce engineer",
        "salesforce architect",
        "netsuite",
        "netsuite administrator",
        "workday",
        "workday analyst",
        "hris",
        "hr systems",
        "hr technology",
        "people systems",
        "people technology",
        "finance systems",
        "financial systems",
        "erp analyst",
        "crm developer",
        "systems analyst",
        "internal tools",
        "gtm systems",
        "marketing systems",
        "crm",
        "crm administrator",
        "crm consultant",
        "business systems administrator",
        "sales systems administrator",
    ),
    "data-engineering": (
        "data",
        "data engineer",
        "data engineering",
        "analytics engineer",
        "data platform",
        "big data",
        "etl developer",
        "data engineers",
        "data architect",
        "data architecture",
        "data infrastructure",
        "data warehouse",
        "data warehousing",
        "data pipeline",
        "data ops",
        "dataops",
        "database developer",
        "analytics engineering",
        "big data engineer",
        "data integration",
        "data management",
        "master data",
        "data governance",
        "data quality",
        "data steward",
        "data stewardship",
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
        "data analysis",
        "business analytics",
        "business intelligence analyst",
        "bi",
        "bi engineer",
        "reporting analyst",
        "insights analyst",
        "quantitative analyst",
        "statistician",
        "analytics manager",
        "analytics lead",
        "decision science",
        "marketing analyst",
        "product analytics",
        "growth analyst",
        "data visualization",
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
        "artificial intelligence",
        "ai researcher",
        "ml researcher",
        "ml scientist",
        "machine learning scientist",
        "machine learning researcher",
        "deep learning",
        "nlp",
        "natural language processing",
        "computer vision",
        "llm",
        "generative ai",
        "genai",
        "data scientists",
        "applied ml",
        "ml ops",
        "mlops",
        "research engineer",
        "ai scientist",
        "ai ml",
        "ml ai",
        "data science manager",
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
        "customer support engineer",
        "technical support engineer",
        "support analyst",
        "support representative",
        "support associate",
        "support manager",
        "customer care",
        "customer service representative",
        "customer service agent",
        "client support",
        "product support",
        "application support",
        "escalation engineer",
        "escalations",
        "tier 1 support",
        "tier 2 support",
        "l1 support",
        "l2 support",
        "customer operations",
        "support team lead",
        "technical support specialist",
        "call center",
        "contact center",
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
        "financial",
        "fp and a",
        "finance business partner",
        "finance manager",
        "finance director",
        "head of finance",
        "cfo",
        "financial controller",
        "assistant controller",
        "finance operations",
        "corporate finance",
        "strategic finance",
        "financial analysis",
        "budget analyst",
        "budgeting",
        "forecasting",
        "cash management",
        "credit analyst",
        "credit",
        "investment analyst",
        "stock plan administrator",
        "equity administrator",
        "revenue analyst",
        "stock administrator",
        "stock administration",
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
        "accountants",
        "staff accountant",
        "senior accountant",
        "general accountant",
        "cost accountant",
        "ap specialist",
        "ar specialist",
        "accounts payable specialist",
        "accounts receivable specialist",
        "billing specialist",
        "billing analyst",
        "collections",
        "collections specialist",
        "credit and collections",
        "gl accountant",
        "bookkeeping",
        "consolidation",
        "chief accounting officer",
        "accounting officer",
        "tax manager",
        "tax accountant",
        "indirect tax",
        "sales tax",
        "payroll specialist",
        "payroll manager",
        "payroll administrator",
        "revenue recognition",
        "cpa",
        "sox reporting",
        "external reporting",
        "technical reporting",
        "expense",
        "expenses",
        "travel and expense",
    ),
    "procurement": (
        "procurement",
        "purchasing",
        "buyer",
        "vendor management",
        "category manager",
        "procurement manager",
        "procurement specialist",
        "sourcing manager",
        "strategic sourcing",
        "purchasing manager",
        "purchaser",
        "supplier management",
        "supply chain",
        "vendor manager",
        "third party risk",
        "contract management procurement",
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
        "legal counsel",
        "corporate counsel",
        "commercial counsel",
        "product counsel",
        "employment counsel",
        "associate general counsel",
        "deputy general counsel",
        "gc",
        "clo",
        "solicitor",
        "barrister",
        "legal assistant",
        "legal specialist",
        "legal analyst",
        "legal intern",
        "contract manager",
        "contract specialist",
        "contracts administrator",
        "contract administrator",
        "legal ops",
        "litigation",
        "intellectual property",
        "ip counsel",
        "patent",
        "patent attorney",
        "trademark",
        "corporate affairs",
        "government affairs",
        "public policy",
        "policy",
        "company secretary",
        "commercial contracts",
        "employment law",
        "contract negotiator",
        "contracts negotiator",
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
        "hr manager",
        "hr director",
        "hr specialist",
        "hr coordinator",
        "hr assistant",
        "hr advisor",
        "hr operations",
        "hr ops",
        "human resources manager",
        "human resources generalist",
        "people manager",
        "people specialist",
        "people operations specialist",
        "people team",
        "people and culture",
        "culture",
        "people programs",
        "talent management",
        "talent",
        "workforce planning",
        "organizational design",
        "compensation analyst",
        "compensation partner",
        "compensation and benefits",
        "c and b",
        "benefits specialist",
        "rewards",
        "total rewards analyst",
        "mobility",
        "immigration",
        "global mobility",
        "employee experience",
        "employee relations partner",
        "deib",
        "belonging",
        "chro",
        "chief human resources officer",
        "hris",
        "background check",
        "background checks",
        "onboarding coordinator",
        "people analytics",
        "benefits administrator",
        "hr administrator",
        "d&i",
        "dib",
        "diversity and inclusion",
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
        "learning and development",
        "l and d",
        "learning experience designer",
        "learning designer",
        "learning specialist",
        "learning partner",
        "training manager",
        "training specialist",
        "training coordinator",
        "enablement trainer",
        "leadership development",
        "organizational development partner",
        "organization development",
        "od",
        "coach",
        "coaching",
        "customer education",
        "education delivery",
        "curriculum",
        "instructional",
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
        "recruiters",
        "technical recruiter",
        "tech recruiter",
        "sourcing specialist",
        "talent sourcer",
        "talent acquisition partner",
        "talent acquisition specialist",
        "talent acquisition manager",
        "talent scout",
        "headhunter",
        "hiring",
        "recruiting manager",
        "recruitment consultant",
        "recruitment manager",
        "ta",
        "campus recruiter",
        "university recruiting",
        "recruiting lead",
    ),
    "recruiting-coordination": (
        "recruiting coordinator",
        "recruitment coordinator",
        "interview coordinator",
        "candidate experience",
        "recruiting operations",
        "recruitment operations",
        "talent acquisition coordinator",
        "ta coordinator",
        "interview scheduler",
        "scheduling coordinator",
        "recruiting ops",
    ),
    "program-management": (
        "program manager",
        "program management",
        "project manager",
        "project management",
        "technical program manager",
        "pmo",
        "programme manager",
        "project management office",
        "tpm",
        "technical project manager",
        "engineering program manager",
        "epm",
        "delivery manager",
        "project coordinator",
        "program coordinator",
        "project lead",
        "program lead",
        "scrum master",
        "agile coach",
        "release train engineer",
        "portfolio manager",
        "project",
        "pm",
    ),
    "strategy-operations": (
        "strategy",
        "strategy and operations",
        "business operations",
        "strategy consultant",
        "management consultant",
        "corporate development",
        "strategy and ops",
        "bizops",
        "biz ops",
        "business operations manager",
        "operations",
        "chief of staff",
        "strategic initiatives",
        "corporate strategy",
        "mergers and acquisitions",
        "strategic planning",
        "transformation",
        "operational excellence",
        "business process",
        "process improvement",
        "process owner",
        "global process owner",
        "gpo",
    ),
    # The chief executives and general managers who run a company or a business unit (O*NET's
    # "Chief Executives", "General and Operations Managers"); the functional chiefs (CFO, CTO…)
    # belong to their function.
    "executive": (
        "chief executive officer",
        "ceo",
        "chief operating officer",
        "coo",
        "president",
        "general manager",
        "gm",
        "managing director",
        "founder",
        "co founder",
        "cofounder",
        "executive director",
        "country manager",
    ),
    "administration": (
        "executive assistant",
        "administrative assistant",
        "executive business administrator",
        "office manager",
        "administrator",
        "receptionist",
        "ea",
        "executive business partner",
        "administrative",
        "admin",
        "office administrator",
        "office coordinator",
        "front desk",
        "personal assistant",
        "team assistant",
        "secretary",
        "workplace",
        "workplace experience",
        "workplace manager",
        "facilities",
        "facilities manager",
        "executive administrator",
        "administrative coordinator",
        "virtual assistant",
        "operations assistant",
    ),
}

# Words that say how high or what kind of holder, not which occupation: after an occupation's
# phrase they keep it ("Sales Director" is selling); any other word after it makes the phrase a
# qualifier of another job ("Sales Operations Analyst", "Online Sales Self Service Operations").
_GENERIC_WORDS = frozenset(
    """manager director vp head chief officer analyst specialist representative rep
    executive associate lead leader partner coordinator consultant professional team member
    engineer developer expert generalist advisor adviser owner agent assistant business
    technician clerk
    strategist programme program emea apac amer americas latam dach uk us eu europe remote
    global international regional area market mid smb enterprise public sector federal
    hybrid management leadership operations planning organization organisation
    department group growth technology contractor freelance freelancer temporary temp
    onsite fulltime parttime""".split()  # noqa: SIM905
) | frozenset(
    # Where the job is: regions, countries and cities that titles name after the job
    # ("Account Executive Nordics", "Sales Engineer Germany").
    """north south east west central northern southern eastern western america asia pacific
    middle africa mea apj anz sea cee nam noram na uki ireland nordics nordic benelux
    iberia germany austria switzerland france spain italy netherlands belgium poland
    sweden denmark norway finland israel india japan korea china singapore australia
    canada mexico brazil argentina colombia chile london berlin munich paris amsterdam
    dublin madrid barcelona milan zurich stockholm warsaw tokyo sydney melbourne toronto
    vancouver york san francisco seattle austin boston chicago denver atlanta""".split()  # noqa: SIM905
)
_IGNORED = frozenset(
    """of and the for in to a an with at on senior sr snr junior jr associate intermediate mid
    staff principal i ii iii iv v 1 2 3 4 5 intern internship trainee entry level job family
    families matrix role roles responsibilities levels description student working
    apprentice apprenticeship graduate grad summer placement werkstudent praktikant
    praktikum coop""".split()  # noqa: SIM905
)

# Gender markers of German, Austrian, French and Dutch postings ("(m/f/d)", "m/w/d", "H/F"):
# they name no job, and unbracketed their slashes would split the title.
_GENDER = re.compile(
    r"\b[mwfhdx]\s*/\s*[mwfhdx](?:\s*/\s*(?:divers|div|[mwfhdxi]))*\b|\ball genders\b"
)
# Spellings of one word: British and American, hyphenated and written as one.
_SPELLINGS = (
    (re.compile(r"\bvice[\s-]*president\b"), "vp"),
    # Level codes and numbers ("Software Engineer L5", "IC4", "Engineer 3") say how high.
    (re.compile(r"\b(?:l|ic|p|e|m|t|g)?\d+\b"), " "),
    (re.compile(r"\bgo[\s-]*to[\s-]*market\b"), "gtm"),
    (re.compile(r"\bprogramme\b"), "program"),
    (re.compile(r"(\w)isation"), r"\1ization"),
    (re.compile(r"\bdefence\b"), "defense"),
    (re.compile(r"\bcentre\b"), "center"),
    # "Software Engineer in Test" is one job; any other "in" starts a qualifier.
    (re.compile(r"\bin\s+test\b"), "test"),
    # "Staff" is a seniority word everywhere but here.
    (re.compile(r"\bchief\s+of\s+staff\b"), "chiefofstaff"),
)
# A title's part ends at a comma, slash, bar, spaced dash or colon, and at a word that starts
# whom or where the job serves ("for the CFO", "to the CEO", "at Acme", "in Berlin", "with Go").
_PARTS = re.compile(
    r"[,/|@]|\s[-–—:]\s|\b(?:for|at|in|with)\b|\bto\s+(?:the\b|(?=c[a-z]{1,2}o\b|vp\b|founder))"
)


def _fold(word: str) -> str:
    # "Engineers" → "engineer"; "Engineering" stays (a function, not a holder).
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


GENERIC = frozenset(_fold(w) for w in _GENERIC_WORDS)
# Single-word phrases ("frontend", "presales", "helpdesk"): two adjacent words that spell one
# are joined, so "Front-End", "Front End" and "Frontend" are one word.
_COMPOUNDS = frozenset(t for titles in OCCUPATIONS.values() for t in titles if " " not in t)


# Words titles shorten ("Sr. Mktg Mgr", "BD Manager", "SVP Sales").
_SHORT = {
    "mgr": ("manager",),
    "dir": ("director",),
    "engr": ("engineer",),
    "eng": ("engineering",),
    "dev": ("development",),
    "tech": ("technical",),
    "mktg": ("marketing",),
    "acct": ("account",),
    "exec": ("executive",),
    "mgmt": ("management",),
    "assoc": ("associate",),
    "coord": ("coordinator",),
    "admin": ("administrator",),
    "ops": ("operations",),
    "svp": ("vp",),
    "evp": ("vp",),
    "avp": ("vp",),
    "rvp": ("vp",),
    "bd": ("business", "development"),
    "bdm": ("business", "development", "manager"),
}


def _normal(text: str) -> str:
    if "&" in text:  # "&amp;" from a page that escaped twice
        text = html.unescape(text)
    lowered = text.lower().replace("’", "'").replace("&", " and ")
    lowered = _GENDER.sub(" ", lowered)
    for pattern, replacement in _SPELLINGS:
        lowered = pattern.sub(replacement, lowered)
    return lowered


def join_compounds(words: list[str], known: Container[str]) -> list[str]:
    """Two adjacent words written as one elsewhere ("Full Stack" and "Fullstack") become one."""
    out: list[str] = []
    for word in words:
        if out and out[-1] + word in known:
            out[-1] += word
        else:
            out.append(word)
    return out


def _tokens(text: str) -> tuple[list[str], list[bool]]:
    """A text's words (seniority and filler words left out, plurals folded) and, for each,
    whether "and" came just before it ("Legal & Compliance")."""
    joined = join_compounds(re.findall(r"[a-z0-9+]+", _normal(text)), _COMPOUNDS)
    words: list[str] = []
    after_and: list[bool] = []
    conjunction = False
    for word in (w for short in joined for w in _SHORT.get(short, (short,))):
        if word in _IGNORED:
            conjunction = conjunction or word == "and"
            continue
        words.append(_fold(word))
        after_and.append(conjunction)
        conjunction = False
    return words, after_and


def _words(text: str) -> list[str]:
    return _tokens(text)[0]


@cache
def _phrases() -> dict[tuple[str, ...], frozenset[str]]:
    phrases: dict[tuple[str, ...], set[str]] = {}
    for occupation, titles in OCCUPATIONS.items():
        for title in titles:
            phrases.setdefault(tuple(_words(title)), set()).add(occupation)
    return {phrase: frozenset(names) for phrase, names in phrases.items() if phrase}


@cache
def _longest() -> int:
    return max(len(p) for p in _phrases())


# Phrases too broad to name a job unless the part says nothing else ("Engineering Manager" is
# software, "Manufacturing Engineering" and "Support Engineering" are not; "Head of Product" is
# product management, "Product Security Engineer" is security; "Operations Manager" runs the
# business, "Online Sales Self Service Operations" runs a sales channel).
# A holder word that is also a phrase ("Developer") is broad too: "Business Intelligence
# Developer" is business intelligence.
_BROAD = frozenset(
    {("engineering",), ("development",), ("data",), ("product",), ("operation",), ("developer",)}
)
# How a person, not a function, is named ("Data Engineer", "Recruiter", "Architect", "Counsel"):
# a later part of a title names a second job only in such words ("Solution Architect - Data
# Engineer"); a bare function there says whom the job serves ("Talent Acquisition Partner -
# Business and Sales", "Product Manager - Marketing").
_PERSON = re.compile(r"(?:er|or|ist|ant|ian|ect|sel|ney|gal|ary|ee)$")


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


Span = tuple[int, int]  # (first word, number of words) of a phrase in a part


def _part_phrases(words: list[str], phrases: dict, longest: int) -> list[Span]:
    """The known phrases of one part that name a job: each longest phrase that only holder
    words and other phrases follow; broad ones only when nothing more precise is named and
    every other word is a holder word."""
    # Longer phrases first, wherever they start: "Outbound Sales Development Representative"
    # is a sales development representative, not outbound sales.
    found = [(i, _phrase_at(words, i, phrases, longest)) for i in range(len(words))]
    taken: set[int] = set()
    spans = []
    for i, size in sorted(found, key=lambda span: (-span[1], span[0])):
        if size and taken.isdisjoint(range(i, i + size)):
            taken.update(range(i, i + size))
            spans.append((i, size))
    named = [
        (i, size) for i, size in sorted(spans) if _only_holders(words, i + size, phrases, longest)
    ]
    precise = [(i, n) for i, n in named if tuple(words[i : i + n]) not in _BROAD]
    if precise:
        return precise
    said = {w for i, n in named for w in words[i : i + n]}
    return named if all(w in GENERIC or w in said for w in words) else []


def _names_a_person(words: list[str], phrase: tuple[str, ...]) -> bool:
    last = phrase[-1]
    return last in GENERIC or bool(_PERSON.search(last)) or words[-1] in GENERIC


Phrase = tuple[str, ...]


@lru_cache(maxsize=65536)
def _named_phrases(title: str) -> tuple[tuple[Phrase, ...], tuple[Phrase, ...]]:
    """Per part of the title (split at commas, slashes, dashes and "for", "to", "at", "in",
    "with"; a parenthesis is a qualifier and is left out), the known phrases that name a job,
    and the phrases of its head.

    The first part that names one says what the job is: its last phrase is the head, with
    those "and" joins to it ("Legal & Compliance Manager"). A later part adds a job only where
    it names a person ("Solution Architect - Data Engineer"), not a function the job serves
    ("Product Manager - Marketing")."""
    phrases = _phrases()
    longest = _longest()
    title = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", _normal(title))
    parts: list[tuple[Phrase, ...]] = []
    head: tuple[Phrase, ...] = ()
    for part in _PARTS.split(title):
        words, after_and = _tokens(part)
        spans = _part_phrases(words, phrases, longest)
        named = tuple(_shared_qualifier(spans, words, after_and, phrases))
        if head:
            named = tuple(p for p in named if _names_a_person(words, p))
        elif spans:
            head = (named[-1], *_coordinated(spans, words, after_and))
        parts.append(named)
    return tuple(parts), head


def _shared_qualifier(
    spans: list[Span], words: list[str], after_and: list[bool], phrases: dict
) -> list[Phrase]:
    """The phrases of a part, a qualifier shared across "and" read into the second phrase
    ("Sales Strategy & Analytics" is sales strategy and sales analytics)."""
    named = [tuple(words[i : i + n]) for i, n in spans]
    for k in range(1, len(spans)):
        (i, n), (j, _) = spans[k - 1], spans[k]
        shared = (words[i], *named[k])
        if n > 1 and i + n == j and after_and[j] and shared in phrases:
            named[k] = shared
    return named


def _coordinated(spans: list[Span], words: list[str], after_and: list[bool]) -> list[Phrase]:
    """The phrases "and" joins to the last one, right before it ("Sales and Marketing")."""
    joined = []
    k = len(spans) - 1
    while k > 0:
        (i, n), (j, _) = spans[k - 1], spans[k]
        if i + n != j or not after_and[j]:
            break
        joined.append(tuple(words[i : i + n]))
        k -= 1
    return joined


@lru_cache(maxsize=65536)  # level titles and posting titles: bounded
def occupations(title: str) -> frozenset[str]:
    """Every occupation a job title names ("Alliances Business Development Manager": selling
    and partnerships)."""
    phrases = _phrases()
    parts, _ = _named_phrases(title)
    return frozenset(name for part in parts for p in part for name in phrases[p])


@lru_cache(maxsize=65536)
def head_occupations(title: str) -> frozenset[str]:
    """The occupations of the phrase that names what the job is: the last one of the title's
    first part that names any ("Executive Sales Administrator" is an administrator working in
    sales: administration, not selling), and those "and" joins to it.

    >>> sorted(head_occupations("Executive Sales Administrator"))
    ['administration']
    >>> sorted(head_occupations("Manager, Inside Sales"))
    ['sales']
    >>> sorted(head_occupations("Sales & Marketing Manager"))
    ['marketing', 'sales']
    """
    phrases = _phrases()
    _, head = _named_phrases(title)
    return frozenset(name for p in head for name in phrases[p])


def text_occupations(text: str) -> frozenset[str]:
    """The occupations a running text names by a phrase of two words or more ("our enterprise
    sales team", "channel partner programs"): a posting's body saying whose work the job is
    close to. One-word phrases ("sales", "design") are left out: in prose they name a topic
    more often than a job; so are phrases naming two occupations.

    >>> sorted(text_occupations("You will join the enterprise sales team and close deals."))
    ['sales']
    >>> sorted(text_occupations("Sales experience is a plus."))
    []
    >>> sorted(text_occupations("Business development experience."))
    []
    """
    phrases, longest = _phrases(), _longest()
    words = _words(text)
    named: set[str] = set()
    i = 0
    while i < len(words):
        size = _phrase_at(words, i, phrases, longest)
        # A phrase naming two jobs ("business development": selling or partnerships) is the
        # very doubt the text is read to settle: it settles nothing.
        if size >= 2 and len(names := phrases[tuple(words[i : i + size])]) == 1:
            named |= names
        i += max(size, 1)
    return frozenset(named)
