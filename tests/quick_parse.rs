//! The quick declaration reader against pest, on generated text: wherever it
//! vouches for a declaration, pest reads the same one, spans and end included.
//! (`lawful_dsl::agrees_with_pest` does the comparing; the `quick_parse` fuzz
//! target does the same on mutated rule files.)

use proptest::prelude::*;

/// Pieces of rule text: words of the language, names close to them, and the
/// punctuation, quoted text, numbers and blank space between.
const PIECES: &[&str] = &[
    "allow",
    "deny",
    "use",
    "disclosure",
    "of",
    "about",
    "for",
    "to",
    "basis",
    "when",
    "except",
    "then",
    "cite",
    "within",
    "days",
    "receives",
    "withdraws",
    "consent",
    "any",
    "data",
    "anyone",
    "is",
    "default",
    "yes/no",
    "number",
    "text",
    "set",
    "fides",
    "and",
    "or",
    "not",
    "no",
    "yes",
    "in",
    "contains",
    "under",
    "unless",
    "a",
    "g1.c1",
    "q1.p0",
    "x_y",
    "anyx",
    "and_y",
    "for.x",
    "data.x",
    "a.B",
    "nothing",
    "withdrawn",
    "consented",
    "r-1",
    "legal_obligation",
    ",",
    "=",
    "<=",
    ">",
    "!=",
    "[",
    "]",
    "(",
    ")",
    "\"S\"",
    "\"a \\\"b\\\"\"",
    "\"\"",
    "3",
    "-1.5",
    "99999999999",
    "1.",
    " ",
    "  ",
    "\n",
    "\t",
    "# note\n",
    "\r\n",
];

/// The words a declaration starts with.
const DECLARATION_WORDS: &[&str] = &[
    "rule",
    "role",
    "category",
    "purpose",
    "party",
    "attribute",
    "obligation",
    "revocation",
    "children",
];

/// A declaration keyword, then pieces joined by a space or by nothing.
fn soup() -> impl Strategy<Value = String> {
    (
        prop::sample::select(DECLARATION_WORDS),
        prop::collection::vec(
            (
                prop::sample::select([PIECES, DECLARATION_WORDS].concat()),
                any::<bool>(),
            ),
            0..40,
        ),
    )
        .prop_map(|(first, rest)| {
            let mut text = format!("policy \"P\" version 2026-01-01\n{first}");
            for (piece, spaced) in rest {
                if spaced {
                    text.push(' ');
                }
                text.push_str(piece);
            }
            text
        })
}

/// A list of names, or the words for all of them: `any` is one of `any data`,
/// `any purpose`, `any party`, `anyone`.
fn list(any: &'static [&'static str]) -> impl Strategy<Value = String> {
    let names = prop::sample::select(vec!["a", "a, b", "a ,b,c", "g1.c1 , x_y", "a # c\n , b"]);
    prop_oneof![
        3 => names.prop_map(str::to_owned),
        1 => prop::sample::select(any).prop_map(str::to_owned),
    ]
}

/// A rule with each of its optional clauses there or not, in the grammar's order.
fn rule() -> impl Strategy<Value = String> {
    let condition = prop::sample::select(vec![
        "x",
        "not x",
        "x and y",
        "x or y and not z",
        "x = 3",
        "x in [\"a\", 2]",
        "x contains \"k\"",
        "consent to p",
        "no consent to p or x >= 16",
        "not not x<=-1.5 and consent to p",
        "(x)",
    ]);
    let gap = prop::sample::select(vec![" ", "\n  ", " # c\n ", "  "]);
    (
        prop::sample::select(vec!["allow use of", "deny use of", "deny disclosure of"]),
        list(&["any data"]),
        prop::option::of(list(&["anyone"])),
        prop::option::of(list(&["any purpose"])),
        prop::option::of(list(&["any party", "anyone"])),
        prop::option::of(condition.clone()),
        prop::collection::vec((list(&["any purpose"]), prop::option::of(condition)), 0..3),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        gap,
    )
        .prop_map(
            |(
                effect,
                categories,
                about,
                purposes,
                to,
                when,
                exceptions,
                (basis, then, cite),
                gap,
            )| {
                let mut text = format!("rule r-1 {effect} {categories}");
                for (word, list) in [("about", about), ("for", purposes), ("to", to)] {
                    if let Some(list) = list {
                        text += &format!("{gap}{word} {list}");
                    }
                }
                if basis {
                    text += &format!("{gap}basis consent");
                }
                if let Some(c) = when {
                    text += &format!("{gap}when {c}");
                }
                for (list, c) in exceptions {
                    text += &format!("{gap}except for {list}");
                    if let Some(c) = c {
                        text += &format!(" when {c}");
                    }
                }
                if then {
                    text += &format!("{gap}then n within 30 days, m");
                }
                if cite {
                    text += &format!("{gap}cite \"S\", \"T\"");
                }
                format!("policy \"P\" version 2026-01-01\n{text}{gap}role r \"R\"\n")
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn token_soup_reads_as_pest_reads_it(text in soup()) {
        prop_assert_eq!(lawful_dsl::agrees_with_pest(&text).err(), None, "{:?}", text);
    }

    #[test]
    fn rules_with_any_clauses_read_as_pest_reads_them(text in rule()) {
        // Every generated rule is well formed: pest reads it and the role after
        // it, and the quick reader vouches at least for the role.
        let vouched = lawful_dsl::agrees_with_pest(&text);
        prop_assert!(matches!(vouched, Ok(1..)), "{:?}: {:?}", text, vouched);
    }
}

/// A policy shaped like the benches' generated ones is read wholly by the quick
/// reader, and agrees with pest: small, and large enough to be read in parts on
/// several threads.
#[test]
fn a_generated_policy_is_read_by_the_quick_reader() {
    assert_eq!(lawful_dsl::agrees_with_pest(&generated(20)), Ok(140));
    assert_eq!(lawful_dsl::agrees_with_pest(&generated(1_500)), Ok(10_500));
}

/// A policy of `groups` groups of seven declarations.
fn generated(groups: usize) -> String {
    let mut text = String::from("policy \"G\" version 2026-01-01\n");
    for g in 0..groups {
        text += &format!(
            "role g{g}_user \"u\"\ncategory g{g} \"c\"\ncategory g{g}.c1 \"c1\"\npurpose q{g} \"q\"\n\
             rule g{g}-allow allow use of g{g}.c1, g{g} about g{g}_user for q{g} basis consent cite \"S\"\n\
             rule g{g}-dnt deny use of any data for q{g} when do_not_track cite \"S\"\n\
             party g{g}_vendor \"v\" receives for q{g} cite \"S\"\n"
        );
    }
    text
}
