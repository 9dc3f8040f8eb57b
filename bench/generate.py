"""Generate realistic GitLab-style handbook pages for benchmarks.

    python bench/generate.py --families N --out DIR

Deterministic: family *i* is drawn from its own seeded random generator, so the first ten
families of a 300-family corpus are the ten families of a 10-family corpus. Each family has
3–20 levels on an individual-contributor, a manager and a director track plus specialties,
grades 4–15, "Extends that of …" chains up to depth 6, nested bullets, and the typos real
pages have in references ("Sr." for "Senior", a dropped letter).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

DEPARTMENTS = [
    "Sales",
    "Marketing",
    "Finance",
    "Legal",
    "People",
    "Security",
    "Support",
    "Product",
    "Engineering",
    "Data",
    "Customer Success",
    "Alliances",
    "Procurement",
    "Revenue",
    "Field",
    "Channel",
    "Partner",
    "Brand",
    "Payroll",
    "Talent",
    "Quality",
    "Infrastructure",
    "Billing",
    "Deal Desk",
    "Treasury",
    "Audit",
    "Compliance",
    "Enablement",
    "Communications",
    "Research",
]
FUNCTIONS = [
    "Operations",
    "Strategy",
    "Analytics",
    "Programs",
    "Systems",
    "Enablement",
    "Planning",
    "Development",
    "Accounting",
    "Design",
    "Insights",
    "Architecture",
    "Reliability",
]
IC_STEPS = ["Associate", "", "Senior", "Staff", "Principal", "Distinguished"]
MANAGER_STEPS = ["Manager", "Senior Manager"]
DIRECTOR_STEPS = ["Director", "Senior Director", "Vice President"]
VERBS = [
    "Own",
    "Lead",
    "Drive",
    "Partner with",
    "Improve",
    "Design",
    "Build",
    "Measure",
    "Review",
    "Coach",
    "Document",
    "Automate",
    "Forecast",
    "Plan",
    "Align",
    "Support",
    "Evangelize",
    "Prioritize",
    "Analyze",
    "Deliver",
]
OBJECTS = [
    "quarterly business reviews",
    "territory planning",
    "pipeline hygiene",
    "the quote to cash process",
    "compensation plans",
    "dashboards for leadership",
    "cross-functional projects",
    "vendor relationships",
    "data integrity in Salesforce",
    "onboarding programs",
    "process automation",
    "annual planning",
    "key performance indicators",
    "the team's roadmap",
    "escalations from the field",
    "documentation in the handbook",
    "hiring of the team",
    "customer feedback loops",
    "operational cadences",
    "partner programs",
]
CONTEXTS = [
    "with a focus on scalability",
    "across all regions",
    "for the sales organization",
    "with minimal supervision",
    "in an agile environment",
    "to drive significant growth",
    "in partnership with Finance",
    "for executive leadership",
    "",
    "",
    "",
]
REQUIREMENTS = [
    "BA/BS degree or equivalent experience",
    "Demonstrated progressive experience in {function}",
    "Strong analytical ability and able to prioritize multiple projects",
    "Excellent written and verbal communication skills",
    "Experience with enterprise SaaS tools",
    "Ability to manage individual contributor performance",
    "Proven ability to thrive in a fluid, fast-paced environment",
    "Deep expertise in {function} and related systems",
    "You share our [values](/handbook/values/) and work in accordance with those values",
    "Ability to use GitLab",
]


def _typo(title: str, rng: random.Random) -> str:
    """A reference as people type it: "Sr." for "Senior", or one letter dropped."""
    if title.startswith("Senior ") and rng.random() < 0.5:
        return "Sr. " + title[len("Senior ") :]
    words = title.split()
    candidates = [i for i, w in enumerate(words) if len(w) > 6]
    if not candidates:
        return title
    i = rng.choice(candidates)
    word = words[i]
    cut = rng.randrange(2, len(word) - 1)
    words[i] = word[:cut] + word[cut + 1 :]
    return " ".join(words)


def _sentence(rng: random.Random) -> str:
    text = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(CONTEXTS)}".strip()
    return text


def _bullets(rng: random.Random, count: int, nested: bool) -> list[str]:
    lines = []
    for _ in range(count):
        lines.append(f"- {_sentence(rng)}")
        if nested and rng.random() < 0.15:
            for _ in range(rng.randint(1, 3)):
                lines.append(f"  - {_sentence(rng)}")
    return lines


def family_page(index: int) -> tuple[str, str]:
    """(file name, markdown) of family number ``index``."""
    rng = random.Random(index * 7919 + 17)
    department = DEPARTMENTS[index % len(DEPARTMENTS)]
    function = FUNCTIONS[(index // len(DEPARTMENTS)) % len(FUNCTIONS)]
    base = f"{department} {function}"
    if index >= len(DEPARTMENTS) * len(FUNCTIONS):
        base = f"{base} {index}"
    n_levels = rng.randint(3, 20)
    # Tracks: individual contributors, managers, directors; the rest are specialties.
    ic = [f"{step} {base} Specialist".strip() for step in IC_STEPS][: max(2, n_levels // 3)]
    managers = [f"{step}, {base}" for step in MANAGER_STEPS][: max(1, n_levels // 5)]
    directors = [f"{step}, {base}" for step in DIRECTOR_STEPS][: max(0, n_levels // 6)]
    specialties = []
    while len(ic) + len(managers) + len(directors) + len(specialties) < n_levels:
        specialties.append(f"{base} Specialist ({rng.choice(FUNCTIONS)} {len(specialties) + 1})")
    grade = rng.randint(4, 6)
    lines = [
        "---",
        f'title: "{base} Roles"',
        f'description: "The {base} job family."',
        "---",
        "",
        f"The {base} job family keeps the {department.lower()} organization running.",
        "",
    ]
    grades: dict[str, int] = {}
    order: list[str] = []

    def role(title: str, group_track: list[str], position: int, reports_to: str | None) -> None:
        nonlocal grade
        level_grade = min(15, grade)
        grades[title] = level_grade
        order.append(title)
        lines.append(f"### {title}")
        lines.append("")
        if reports_to:
            lines.append(f"The {title} reports to the {reports_to}.")
            lines.append("")
        lines.append("#### Job Grade")
        lines.append("")
        lines.append(
            f"The {title} is a [grade {level_grade}](/handbook/total-rewards/compensation/"
            "compensation-calculator/#gitlab-job-grades)."
        )
        lines.append("")
        parent = group_track[position - 1] if position > 0 else None
        # Chains of extends, restarting every six levels so depth stays ≤ 6.
        chained = parent is not None and position % 6 != 0
        for section in ("Responsibilities", "Requirements"):
            lines.append(f"#### {title} {section}")
            lines.append("")
            if chained:
                target = _typo(parent, rng) if rng.random() < 0.2 else parent
                lines.append(f"- Extends that of the {target} {section}")
            if section == "Responsibilities":
                lines.extend(_bullets(rng, rng.randint(3, 9), nested=True))
            else:
                picks = rng.sample(REQUIREMENTS, k=rng.randint(3, 7))
                lines.extend(f"- {p.format(function=function.lower())}" for p in picks)
            lines.append("")
        grade += 1

    lines.append(f"## {base} Specialist Levels")
    lines.append("")
    manager_title = managers[0] if managers else None
    for i, title in enumerate(ic):
        role(title, ic, i, manager_title)
    grade = max(grade - 2, 7)
    if managers:
        lines.append(f"## {managers[0]} Levels")
        lines.append("")
        for i, title in enumerate(managers):
            role(title, managers, i, directors[0] if directors else None)
    if directors:
        lines.append(f"## {directors[0]} Levels")
        lines.append("")
        for i, title in enumerate(directors):
            role(title, directors, i, directors[i + 1] if i + 1 < len(directors) else None)
    if specialties:
        lines.append("## Specialties")
        lines.append("")
        for title in specialties:
            lines.append(f"### {title}")
            lines.append("")
            parent = rng.choice(ic)
            lines.append(f"- Extends that of the {parent}")
            lines.extend(_bullets(rng, rng.randint(2, 6), nested=False))
            lines.append("")
    lines += [
        "## Performance Indicators",
        "",
        "- Pipeline coverage > 3x",
        "- Forecast accuracy within 5%",
        "",
        "## Career Ladder",
        "",
        f"The next step in the {base} job family is not yet defined.",
        "",
        "## Hiring Process",
        "",
        "- Screening call with a recruiter",
        "- Interview with the hiring manager",
        "- Interviews with 2-5 teammates",
        "",
    ]
    name = f"family-{index:04d}.md"
    return name, "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, required=True, help="how many families")
    parser.add_argument("--out", required=True, help="folder to write the .md pages into")
    args = parser.parse_args(argv)
    if args.families < 1:
        parser.error("--families must be at least 1")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for index in range(args.families):
        name, text = family_page(index)
        (out / name).write_text(text, encoding="utf-8")
    print(f"wrote {args.families} families to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
