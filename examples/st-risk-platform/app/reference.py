"""Reference data the UI loads once per session: risk levels and the categories they apply to."""

CATEGORIES = [
    "credit", "market", "liquidity", "operational", "counterparty", "settlement",
    "concentration", "model", "legal", "compliance", "reputational", "strategic",
]

LEVELS = [
    {
        "code": f"{category[:3].upper()}-{level}",
        "category": category,
        "level": level,
        "label": f"{category.title()} risk, level {level}",
        "threshold": round(0.15 * level, 2),
        "escalate": level >= 4,
    }
    for category in CATEGORIES
    for level in range(1, 6)
]
