#!/usr/bin/env python3
"""Writes the large and hostile rule files docs/hardening.md measures into DIR.

    scripts/hostile-inputs.py DIR
    /usr/bin/time -v target/release/lawful check DIR/allows40k.lawful

Files: allows40k.lawful (40,000 identical allows), warnings40k.lawful (40,000
uncited rules), tests20k/ (a policy and 20,000 test cases), and four of 16 MiB:
allows16m (identical allows and 4 denies), big16m (shaped like Filestack),
roles16m (one-line role declarations), list16m (one rule listing one category
millions of times).
"""

import os
import sys

LIMIT = 16 << 20
HEAD = 'policy "Generated" version 2024-01-01\nrole r "r"\ncategory d "d"\ncategory e "e"\npurpose p "p"\n'
ALLOW = 'rule a{i} allow use of d about r for p basis legitimate_interests{cite}\n'


def fill(path, head, line, start=0):
    """Writes head, then line(i) for i = start, … while the file stays within 16 MiB."""
    with open(path, "w") as f:
        size = len(head)
        f.write(head)
        i = start
        while True:
            text = line(i)
            if size + len(text) > LIMIT:
                return
            f.write(text)
            size += len(text)
            i += 1


def group(g):
    """One group of the Filestack-shaped policy (as benches/generated.rs)."""
    t = "".join(f'role g{g}_{role} "{role} of group {g}"\n' for role in ["visitor", "user", "subject"])
    t += f'category g{g} "group {g} data"\n'
    t += "".join(f'category g{g}.c{c} "category {c} of group {g}"\n' for c in range(20))
    t += f'purpose q{g} "group {g} purposes"\n'
    t += "".join(f'purpose q{g}.p{p} "purpose {p} of group {g}"\n' for p in range(16))
    for r in range(16):
        role = ["visitor", "user", "subject"][r % 3]
        basis = "consent" if r % 4 == 0 else "contract"
        t += (f"rule g{g}-allow-{r}\n  allow use of g{g}.c{r % 20}, g{g}.c{(r + 1) % 20}, g{g}.c{(r + 7) % 20}\n"
              f"  about g{g}_{role}\n  for q{g}.p{r % 16}, q{g}.p{(r + 3) % 16}\n  basis {basis}\n  cite \"S\"\n")
    t += (f'rule g{g}-legal allow use of any data about g{g}_visitor, g{g}_user for legal basis legal_obligation cite "S"\n'
          f'rule g{g}-dnt deny use of any data for q{g}.p3 when do_not_track cite "S"\n'
          f'rule g{g}-never deny use of g{g}.c19 for q{g}.p5 cite "S"\n'
          f'party g{g}_vendor "vendor {g}" receives for q{g}.p0, q{g}.p1, q{g}.p2 cite "S"\n'
          f'party g{g}_infra "infrastructure {g}" receives for any purpose cite "S"\n')
    return t


def main(out):
    os.makedirs(os.path.join(out, "tests20k"), exist_ok=True)
    deny = 'rule deny-e deny use of e cite "S"\n'
    with open(os.path.join(out, "allows40k.lawful"), "w") as f:
        f.write(HEAD + deny + "".join(ALLOW.format(i=i, cite=' cite "S"') for i in range(40000)))
    with open(os.path.join(out, "warnings40k.lawful"), "w") as f:
        f.write(HEAD + deny + "".join(ALLOW.format(i=i, cite="") for i in range(40000)))
    with open(os.path.join(out, "tests20k", "2024-01-01.lawful"), "w") as f:
        f.write(HEAD + 'rule a allow use of d about r for p basis legitimate_interests cite "S"\n')
    with open(os.path.join(out, "tests20k", "many.test.lawful"), "w") as f:
        f.write("".join(f'test "case {i}"\n  subject r\n  use d for p at 2026-03-01\n  expect allowed by a\n'
                        for i in range(20000)))
    denies = "".join(f'rule deny-e{k} deny use of e cite "S"\n' for k in range(4))
    fill(os.path.join(out, "allows16m.lawful"), HEAD + denies, lambda i: ALLOW.format(i=i, cite=' cite "S"'))
    big_head = ('policy "Generated" version 2024-01-01\n'
                'attribute restricted "restricted" is yes/no, default no\n'
                'attribute do_not_track "dnt" is yes/no, default no\n'
                'purpose legal "legal"\npurpose legal.compliance "compliance"\n'
                'rule restriction deny use of any data when restricted except for legal.compliance cite "S"\n')
    fill(os.path.join(out, "big16m.lawful"), big_head, group)
    fill(os.path.join(out, "roles16m.lawful"), 'policy "Generated" version 2024-01-01\n', lambda i: f'role r{i} "r"\n')
    rule = HEAD + "rule x allow use of d"
    tail = ' about r for p basis consent cite "S"\n'
    with open(os.path.join(out, "list16m.lawful"), "w") as f:
        f.write(rule + ", d" * ((LIMIT - len(rule) - len(tail)) // 3) + tail)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
