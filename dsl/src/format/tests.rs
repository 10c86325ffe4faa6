//! The layout, case by case: `check(input, expected)` formats a policy file (or
//! with `check_tests`, a test file), compares, and formats the output again to
//! see that nothing moves.

use super::{format_file, format_policy, format_tests};

const HEADER: &str = "policy \"P\"\nversion 2024-01-01\n";

fn check(input: &str, expected: &str) {
    let got = format_policy(input).unwrap_or_else(|d| {
        let rendered: Vec<String> = d.iter().map(ToString::to_string).collect();
        unreachable!("did not format:\n{}", rendered.join("\n"))
    });
    assert_eq!(
        got, expected,
        "\n--- got ---\n{got}\n--- expected ---\n{expected}"
    );
    assert_eq!(
        format_policy(&got).ok().as_deref(),
        Some(got.as_str()),
        "not idempotent"
    );
}

/// A policy file: the header, then `body`.
fn check_body(input: &str, expected: &str) {
    check(
        &format!("{HEADER}\n{input}"),
        &format!("{HEADER}\n{expected}"),
    );
}

fn check_tests(input: &str, expected: &str) {
    let got = format_tests(input).ok().unwrap_or_default();
    assert_eq!(
        got, expected,
        "\n--- got ---\n{got}\n--- expected ---\n{expected}"
    );
    assert_eq!(
        format_tests(&got).ok().as_deref(),
        Some(got.as_str()),
        "not idempotent"
    );
}

#[test]
fn the_header_takes_two_lines_and_a_blank_line_follows() {
    check(
        "policy   \"P\"    version 2024-01-01 role a \"A\"",
        "policy \"P\"\nversion 2024-01-01\n\nrole a \"A\"\n",
    );
    check(
        "policy \"P\" version \"draft\" effective 2024-01-01\n",
        "policy \"P\"\nversion \"draft\" effective 2024-01-01\n",
    );
}

#[test]
fn clauses_take_a_line_each_indented_two_spaces() {
    check_body(
        "rule r allow use of a,b about x for p basis consent when c cite \"S\",\"T\"",
        "rule r\n  allow use of a, b\n  about x\n  for p\n  basis consent\n  when c\n  cite \"S\", \"T\"\n",
    );
    check_body(
        "party   p \"P\"   receives for any purpose then k within 010 days cite \"S\"",
        "party p \"P\"\n  receives for any purpose\n  then k within 10 days\n  cite \"S\"\n",
    );
    check_body(
        "revocation r withdraws consent\nchildren under 018 about v unless g then delete",
        "revocation r\n  withdraws consent\n\nchildren under 18\n  about v\n  unless g\n  then delete\n",
    );
}

#[test]
fn vocabulary_lines_keep_their_groups_and_multi_line_items_get_blank_lines() {
    check_body(
        "role a \"A\"\n\n\n\nrole b \"B\"\nrole c \"C\"\nrule r\n  deny use of any data\nparty p \"P\"\nparty q \"Q\"\n\nparty s \"S\" receives for x\n",
        "role a \"A\"\n\nrole b \"B\"\nrole c \"C\"\n\nrule r\n  deny use of any data\n\nparty p \"P\"\nparty q \"Q\"\n\nparty s \"S\"\n  receives for x\n",
    );
}

#[test]
fn long_lists_wrap_with_a_hanging_indent() {
    let names: Vec<String> = (0..12).map(|i| format!("category_{i:02}")).collect();
    check_body(
        &format!("rule r\n  deny use of {}\n", names.join(", ")),
        "rule r\n  deny use of category_00, category_01, category_02, category_03, category_04,\n      category_05, category_06, category_07, category_08, category_09, category_10,\n      category_11\n",
    );
    // A list that was wrapped by hand, and fits, is joined.
    check_body(
        "rule r\n  deny use of a,\n     b,\n     c\n",
        "rule r\n  deny use of a, b, c\n",
    );
}

#[test]
fn texts_too_long_for_a_line_stay_whole() {
    let long = "x".repeat(100);
    check_body(
        &format!("role a \"{long}\"\nrule r\n  deny use of any data\n  cite \"S\", \"{long}\""),
        &format!(
            "role a \"{long}\"\n\nrule r\n  deny use of any data\n  cite \"S\",\n      \"{long}\"\n"
        ),
    );
}

#[test]
fn conditions_get_canonical_spacing_and_brackets() {
    let cases = [
        ("a   and(b)", "a and b"),
        ("(a and b) and c", "a and b and c"),
        ("a and (b and c)", "a and (b and c)"),
        ("a or b and c", "a or (b and c)"),
        ("(a or b) and c", "(a or b) and c"),
        ("a and b or c", "(a and b) or c"),
        ("not(a)", "not a"),
        ("not (a or b)", "not (a or b)"),
        ("not not a", "not not a"),
        ("((a or b))", "a or b"),
        ("x>=18.50 and y!=\"z\"", "x >= 18.5 and y != \"z\""),
        (
            "x in[\"a\" ,\"b\"]or t contains \"c\"",
            "x in [\"a\", \"b\"] or t contains \"c\"",
        ),
        (
            "no   consent to   sale and consent to p",
            "no consent to sale and consent to p",
        ),
    ];
    for (written, canonical) in cases {
        check_body(
            &format!("rule r deny use of any data when {written}"),
            &format!("rule r\n  deny use of any data\n  when {canonical}\n"),
        );
    }
}

#[test]
fn exceptions_take_the_order_of_a_rules_clauses() {
    check_body(
        "rule r deny use of any data except when c for p of d except to q",
        "rule r\n  deny use of any data\n  except of d for p when c\n  except to q\n",
    );
}

#[test]
fn comments_stay_where_they_were() {
    // Own-line comments before an item, before a clause and in a list; a trailing
    // comment after a head, a clause and a name in a list; comments closing a rule.
    check_body(
        "# about roles\n\n\n# a\nrole a \"A\"   # the A\nrule r # why\n    # the effect\n  deny use of x, # first\n y,\n   # then\n  z\n  cite \"S\"\n    # closing\n  # and more\n\n# end\n",
        "# about roles\n\n# a\nrole a \"A\"  # the A\n\nrule r  # why\n  # the effect\n  deny use of x,  # first\n      y,\n      # then\n      z\n  cite \"S\"\n  # closing\n  # and more\n\n# end\n",
    );
}

#[test]
fn a_comment_after_a_rule_with_a_blank_line_or_at_column_0_belongs_to_what_follows() {
    check_body(
        "rule r\n  deny use of x\n# next\nrule s\n  deny use of y\n\n  # after a blank\nrule t\n  deny use of z\n",
        "rule r\n  deny use of x\n\n# next\nrule s\n  deny use of y\n\n# after a blank\nrule t\n  deny use of z\n",
    );
}

#[test]
fn comments_inside_conditions_and_brackets_are_kept() {
    check_body(
        "rule r deny use of any data\n  when (a # one\n  or b)\n  # two\n  and c\n",
        "rule r\n  deny use of any data\n  when (a  # one\n      or b)\n      # two\n      and c\n",
    );
}

#[test]
fn a_hash_inside_quoted_text_is_text() {
    check_body(
        "role a \"#1 \\\"x\\\"\" # c\n",
        "role a \"#1 \\\"x\\\"\"  # c\n",
    );
}

#[test]
fn carriage_returns_tabs_and_a_byte_order_mark_go() {
    check(
        "\u{feff}policy \"P\"\r\n\tversion 2024-01-01\r\n\r\nrole a \"A\"\t# c \r\n",
        "policy \"P\"\nversion 2024-01-01\n\nrole a \"A\"  # c\n",
    );
}

#[test]
fn test_files_are_laid_out_like_rules() {
    check_tests(
        "# cases\ntest \"t\" subject v aged 034 with a, b = \"x\", c = [], d = [\"p\",\"q\"] consented to p at 2026-01-01 revoked p at 2026-02-01 disclose x,y to s for p at 2026-03-01 collected 2020-01-01 expect allowed by r basis consent version 2021-11-11 with k, l\ntest \"u\" subject v use x for p expect error",
        "# cases\ntest \"t\"\n  subject v aged 34 with a, b = \"x\", c = [], d = [\"p\", \"q\"]\n  consented to p at 2026-01-01\n  revoked p at 2026-02-01\n  disclose x, y to s for p at 2026-03-01 collected 2020-01-01\n  expect allowed by r basis consent version 2021-11-11 with k, l\n\ntest \"u\"\n  subject v\n  use x for p\n  expect error\n",
    );
    assert_eq!(
        format_tests("# only a comment\n").ok().as_deref(),
        Some("# only a comment\n")
    );
    assert_eq!(format_tests("").ok().as_deref(), Some(""));
}

#[test]
fn files_that_do_not_parse_are_not_formatted() {
    let errors = format_policy("policy \"P\" version 2024-01-01\nrule r allow").unwrap_err();
    assert_eq!(errors.first().map(|d| d.code), Some("L001"));
    // Lowering's errors count too: a number too large for an age.
    let errors =
        format_policy("policy \"P\" version 2024-01-01\nchildren under 99999999999").unwrap_err();
    assert_eq!(errors.first().map(|d| d.code), Some("L004"));
    let named = format_file("x.test.lawful", "test").unwrap_err();
    assert_eq!(
        named
            .first()
            .and_then(|d| d.location.as_ref())
            .map(|l| l.file.as_str()),
        Some("x.test.lawful")
    );
}

#[test]
fn the_file_name_chooses_the_grammar() {
    let test = "test \"t\"\n  subject v\n  use x for p\n  expect error\n";
    assert_eq!(
        format_file("a.test.lawful", test).ok().as_deref(),
        Some(test)
    );
    assert!(format_file("a.lawful", test).is_err());
}

/// The condition of the one rule in a formatted body, its wrapped lines joined.
fn formatted_condition(condition: &str) -> String {
    let text = format_policy(&format!(
        "{HEADER}rule r deny use of any data when {condition}"
    ))
    .unwrap_or_default();
    let when = text.split("  when ").nth(1).unwrap_or_default();
    assert_eq!(format_policy(&text).ok().as_deref(), Some(text.as_str()));
    when.trim_end().replace("\n      ", " ")
}

#[test]
fn clarifying_brackets_are_left_out_where_they_would_nest_too_deep() {
    // `a or b and (…)`, nested: the brackets the tree needs nest `levels` deep;
    // with a clarifying pair around each `and`, 2 × levels + 1 deep.
    let nested = |levels: usize, clarify: bool| {
        let mut text = if clarify {
            "a0 or (b0 and z)"
        } else {
            "a0 or b0 and z"
        }
        .to_owned();
        for level in 1..=levels {
            text = if clarify {
                format!("a{level} or (b{level} and ({text}))")
            } else {
                format!("a{level} or b{level} and ({text})")
            };
        }
        text
    };
    // Seven levels: 15 deep with clarifying brackets, within the parser's 16.
    assert_eq!(formatted_condition(&nested(7, false)), nested(7, true));
    // Eight: 17 would be too deep, so only the needed brackets are printed.
    assert_eq!(formatted_condition(&nested(8, false)), nested(8, false));
}

#[test]
fn any_party_and_anyone_are_kept_as_written() {
    check_body(
        "rule r deny disclosure of any data to any party except to anyone",
        "rule r\n  deny disclosure of any data\n  to any party\n  except to anyone\n",
    );
}
