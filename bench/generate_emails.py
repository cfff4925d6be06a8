"""Benchmark: how fast the synthetic generator writes client e-mails, against bare Faker text.

The generator drafts each e-mail through a weighted writer family, then dresses it (greetings,
signatures, typos, forwards): that work is what makes the corpus hard, and what ``make demo``
pays for its 3,000 tickets and ``corpus generate --scale paper`` for 29,376. The baseline,
run in the same process on the same machine, is a Faker paragraph per e-mail: the cost of the
cheapest generator one could write, so the ratio says what the realism costs, whatever the
machine's speed. The target: 30,000 e-mails well under 30 s.

Usage: python bench/generate_emails.py [--emails 3000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from faker import Faker

from mail2ticket.data.synth import long_tail_categories, make_company, make_person, write_client_email
from mail2ticket.taxonomy import load_taxonomy


def generator_rate(count: int, seed: int) -> float:
    """E-mails per second written by the generator, the taxonomy's categories and a long tail in turn."""
    rng, faker = random.Random(seed), Faker("fr_FR")
    faker.seed_instance(seed)
    companies = [make_company(rng, faker) for _ in range(20)]
    people = [make_person(c, rng, faker) for c in companies]
    names = [*load_taxonomy().labels_with_unknown, *long_tail_categories(rng, 30)]
    sent = datetime(2025, 3, 12, 9, 30)
    started = time.perf_counter()
    for i in range(count):
        write_client_email(names[i % len(names)], companies[i % 20], people[i % 20], sent, rng, faker)
    return count / (time.perf_counter() - started)


def faker_rate(count: int, seed: int) -> float:
    """E-mails per second of the baseline: one Faker paragraph each."""
    faker = Faker("fr_FR")
    faker.seed_instance(seed)
    started = time.perf_counter()
    for _ in range(count):
        faker.paragraph(nb_sentences=4)
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--emails", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3, help="alternating generator / baseline rounds")
    args = parser.parse_args()
    generator, baseline = [], []
    for round_ in range(args.rounds):  # alternated, so the machine's drift falls on both
        generator.append(generator_rate(args.emails, seed=round_))
        baseline.append(faker_rate(args.emails, seed=round_))
    rate, base = statistics.median(generator), statistics.median(baseline)
    print(f"generator: {rate:,.0f} e-mails/s (rounds: {', '.join(f'{r:,.0f}' for r in generator)})")
    print(f"baseline (a Faker paragraph per e-mail): {base:,.0f} e-mails/s")
    print(f"ratio generator / baseline: {rate / base:.2f}x")
    print(f"30,000 e-mails: {30_000 / rate:.1f} s (target: well under 30 s)")


if __name__ == "__main__":
    main()
