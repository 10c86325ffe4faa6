//! `lawful fmt`: snapshots of the layout of every real file, property tests on
//! generated and on re-spaced real files (fmt is idempotent, keeps every comment,
//! and compiles to the same policy), and the command's exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lawful::format::{format_file, format_policy, format_tests};
use lawful_dsl::diagnostic::Source;
use lawful_dsl::load::{parse_policy, parse_tests};
use proptest::prelude::*;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

// ── Snapshots ───────────────────────────────────────────────────────────────

#[test]
fn the_filestack_files_are_laid_out_canonically() {
    insta::glob!("..", "rules/filestack/*.lawful", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let formatted = format_file(&path.display().to_string(), &text).unwrap();
        // The files in the repository are kept formatted.
        assert_eq!(formatted, text, "{} is not formatted", path.display());
        insta::assert_snapshot!(formatted);
    });
}

#[test]
fn broken_files_that_parse_are_laid_out_and_the_others_refused() {
    insta::glob!("broken/*.lawful", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        match format_file(&path.display().to_string(), &text) {
            Ok(formatted) => {
                assert_eq!(format_policy(&formatted).unwrap(), formatted);
                insta::assert_snapshot!(formatted);
            }
            Err(diagnostics) => {
                assert!(
                    diagnostics.iter().any(|d| d.is_error() && d.code != "L000"),
                    "{}: {diagnostics:?}",
                    path.display()
                );
                assert!(parse_policy(&Source::new("x", text)).is_err());
            }
        }
    });
}

// ── What must not change ────────────────────────────────────────────────────

/// The comments of a file, in order: `#` outside quoted text, to the end of the line.
fn comments(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '#' => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                found.push(text[i..end].trim_end().to_owned());
                while chars.next_if(|(j, _)| *j < end).is_some() {}
            }
            _ => {}
        }
    }
    found.sort();
    found
}

/// The compiled model of policy files, as comparable text: the vocabulary has no
/// `PartialEq`, so the whole model is compared through its `Debug` form.
fn model(files: &[(&str, &str)]) -> String {
    let parsed: Vec<_> = files
        .iter()
        .map(|(name, text)| {
            let source = Source::new(*name, *text);
            let file = parse_policy(&source)
                .unwrap_or_else(|d| panic!("{name} does not parse: {d:?}\n{text}"));
            (source, file)
        })
        .collect();
    let compiled = lawful_dsl::compile::compile(&parsed)
        .unwrap_or_else(|d| panic!("does not compile: {d:?}\n{}", files[0].1));
    format!("{:?}", compiled.model)
}

/// A test file's cases, with every `span: Span { … }` taken out.
fn test_cases(text: &str) -> String {
    let file = parse_tests(&Source::new("t.test.lawful", text))
        .unwrap_or_else(|d| panic!("does not parse: {d:?}\n{text}"));
    let debug = format!("{file:?}");
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(at) = rest.find("Span { start: ") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        rest = &rest[rest.find('}').unwrap() + 1..];
    }
    out.push_str(rest);
    out
}

/// Formats `text` and checks what must hold of any formatting: it succeeds, a
/// second pass changes nothing, and the comments are the same texts.
fn format_checked(text: &str, tests: bool) -> String {
    let format = if tests { format_tests } else { format_policy };
    let formatted = format(text).unwrap_or_else(|d| {
        panic!(
            "did not format: {}\n--- input ---\n{text}",
            lawful::render_diagnostics(&d)
        )
    });
    let again = format(&formatted).unwrap();
    assert_eq!(again, formatted, "not idempotent\n--- input ---\n{text}");
    assert_eq!(
        comments(&formatted),
        comments(text),
        "comments differ\n--- input ---\n{text}"
    );
    formatted
}

// ── Generated files ─────────────────────────────────────────────────────────

/// Choices drawn from a tape proptest shrinks toward zeros: the simplest file.
struct Tape {
    choices: Vec<u16>,
    at: usize,
}

impl Tape {
    fn pick(&mut self, n: usize) -> usize {
        let choice = self.choices.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        usize::from(choice) % n.max(1)
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.pick(100) + percent >= 100
    }

    fn some<'a>(&mut self, names: &[&'a str], most: usize) -> Vec<&'a str> {
        let count = 1 + self.pick(most.min(names.len()));
        let start = self.pick(names.len());
        (0..count)
            .map(|i| names[(start + i) % names.len()])
            .collect()
    }
}

/// Writes words with random spacing, line breaks, blank lines and comments.
struct Writer<'t> {
    tape: &'t mut Tape,
    out: String,
    comments: usize,
}

const SPACES: [&str; 8] = [
    " ",
    "  ",
    "\n  ",
    "\n",
    "\n\n",
    "\t",
    " \n      ",
    "\n\n\n    ",
];
const COMMENT_TEXTS: [&str; 6] = [
    "",
    " why",
    " quoted \"text\" # inside",
    " “curly” and é",
    "#   double",
    " trailing spaces   ",
];

impl Writer<'_> {
    fn gap(&mut self, needed: bool) {
        let comment = self.tape.chance(12);
        if !needed && !comment && self.tape.chance(70) {
            return;
        }
        let space = SPACES[self.tape.pick(SPACES.len())];
        self.out.push_str(space);
        if comment {
            self.comments += 1;
            let text = COMMENT_TEXTS[self.tape.pick(COMMENT_TEXTS.len())];
            self.out.push_str(&format!("#~{}~{text}\n", self.comments));
            self.out
                .push_str(SPACES[self.tape.pick(SPACES.len())].trim_start_matches('\n'));
        }
    }

    /// Words separated by spaces in `text`, each after a gap.
    fn words(&mut self, text: &str) {
        for word in text.split(' ') {
            self.gap(!self.out.is_empty());
            self.out.push_str(word);
        }
    }

    /// One of `options`, as words.
    fn one_of(&mut self, options: &[&str]) {
        let chosen = options[self.tape.pick(options.len())];
        self.words(chosen);
    }

    /// One word, perhaps quoted text with spaces inside.
    fn word(&mut self, text: &str) {
        self.gap(!self.out.is_empty());
        self.out.push_str(text);
    }

    /// Punctuation: a gap before it may be empty.
    fn punct(&mut self, text: &str) {
        self.gap(false);
        self.out.push_str(text);
    }

    fn list(&mut self, items: &[&str]) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.punct(",");
            }
            self.words(item);
        }
    }

    fn text(&mut self) {
        const TEXTS: [&str; 5] = [
            "\"Section\"",
            "\"a \\\"quoted\\\" # not a comment\"",
            "\"back\\\\slash\"",
            "\"a long section heading that goes on for quite a while, as headings in policies do\"",
            "\"é ü 中\"",
        ];
        let text = TEXTS[self.tape.pick(TEXTS.len())];
        self.word(text);
    }
}

const CATEGORIES: [&str; 26] = [
    "a",
    "a.x",
    "a.y",
    "b",
    "c01",
    "c02",
    "c03",
    "c04",
    "c05",
    "c06",
    "c07",
    "c08",
    "c09",
    "c10",
    "c11",
    "c12",
    "c13_content_of_a_long_name",
    "c14",
    "c15",
    "c16",
    "c17",
    "c18",
    "c19",
    "c20",
    "c21",
    "c22",
];
const PURPOSES: [&str; 8] = [
    "p",
    "p.m",
    "p.n",
    "q",
    "marketing_by_a_long_name",
    "r1",
    "r2",
    "r3",
];
const ROLES: [&str; 3] = ["visitor", "user", "other"];
const PARTIES: [&str; 3] = ["s", "t", "u"];

fn vocabulary(w: &mut Writer<'_>) {
    for (kind, names) in [
        ("role", &ROLES[..]),
        ("category", &CATEGORIES[..]),
        ("purpose", &PURPOSES[..]),
    ] {
        for name in names {
            w.words(kind);
            w.words(name);
            w.text();
        }
    }
    w.words("obligation k1 \"K\" obligation k2 \"K2\"");
    w.words("attribute flag \"F\" is yes/no");
    if w.tape.chance(50) {
        w.punct(",");
        w.words("default no");
    }
    w.words("attribute n \"N\" is number");
    w.punct(",");
    w.one_of(&["default 0018.50", "default 3", "default -2.0"]);
    w.words("attribute j \"J\" is text");
    w.punct(",");
    w.words("default \"unknown\"");
    w.words("attribute tags \"T\" is set of text");
}

fn condition(w: &mut Writer<'_>, depth: usize) {
    let kind = if depth == 0 { 0 } else { w.tape.pick(5) };
    match kind {
        0 => {
            let leaves = [
                "flag",
                "n >= 16",
                "n < -0.50",
                "j = \"US-CA\"",
                "j != \"EU\"",
                "tags contains \"x\"",
                "consent to p",
                "no consent to q",
            ];
            let leaf = w.tape.pick(leaves.len() + 1);
            if leaf == leaves.len() {
                w.words("j in");
                w.punct("[");
                w.words("\"EU\"");
                w.punct(",");
                w.words("\"UK\"");
                w.punct("]");
            } else {
                w.words(leaves[leaf]);
            }
        }
        1 => {
            w.words("not");
            condition(w, depth - 1);
        }
        2 => {
            w.punct("(");
            condition(w, depth - 1);
            w.punct(")");
        }
        _ => {
            condition(w, depth - 1);
            w.words(if kind == 3 { "and" } else { "or" });
            condition(w, depth - 1);
        }
    }
}

fn obligations(w: &mut Writer<'_>) {
    w.words("then k1");
    if w.tape.chance(50) {
        w.punct(",");
        w.words("k2 within 010 days");
    }
}

fn cites(w: &mut Writer<'_>) {
    w.words("cite");
    w.text();
    for _ in 0..w.tape.pick(3) {
        w.punct(",");
        w.text();
    }
}

fn names_or_any(w: &mut Writer<'_>, names: &[&str], any: &str, most: usize) {
    if w.tape.chance(20) {
        w.words(any);
    } else {
        let chosen = w.tape.some(names, most);
        w.list(&chosen);
    }
}

fn rule(w: &mut Writer<'_>, index: usize) {
    let effect = w.tape.pick(3);
    w.words(&format!("rule r-{index}"));
    w.words(["allow use of", "deny use of", "deny disclosure of"][effect]);
    names_or_any(w, &CATEGORIES, "any data", 26);
    if effect == 0 || w.tape.chance(40) {
        w.words("about");
        names_or_any(w, &ROLES, "anyone", 3);
    }
    if effect == 0 || w.tape.chance(40) {
        w.words("for");
        names_or_any(w, &PURPOSES, "any purpose", 8);
    }
    if effect == 2 && w.tape.chance(60) {
        w.words("to");
        let any = ["anyone", "any party"][w.tape.pick(2)];
        names_or_any(w, &PARTIES, any, 3);
    }
    if effect == 0 {
        w.one_of(&["basis consent", "basis contract"]);
    }
    if w.tape.chance(50) {
        w.words("when");
        condition(w, 3);
    }
    if effect > 0 {
        for _ in 0..w.tape.pick(3) {
            w.words("except");
            let mut parts = vec![0, 1, 2, 3];
            for _ in 0..w.tape.pick(4) {
                parts.swap(w.tape.pick(4), w.tape.pick(4));
            }
            parts.truncate(1 + w.tape.pick(4));
            for part in parts {
                match part {
                    0 => {
                        w.words("of");
                        names_or_any(w, &CATEGORIES, "any data", 4);
                    }
                    1 => {
                        w.words("for");
                        names_or_any(w, &PURPOSES, "any purpose", 3);
                    }
                    2 => {
                        w.words("to");
                        names_or_any(w, &PARTIES, "anyone", 2);
                    }
                    _ => {
                        w.words("when");
                        condition(w, 2);
                    }
                }
            }
        }
    }
    if w.tape.chance(30) {
        obligations(w);
    }
    if w.tape.chance(80) {
        cites(w);
    }
}

/// A declaration of the given kind; `index` counts the declarations of that kind.
fn declaration(w: &mut Writer<'_>, index: usize, kind: usize) {
    match kind {
        0 => {
            let party = PARTIES[index];
            w.words(&format!("party {party}"));
            w.text();
            if w.tape.chance(70) {
                w.words("receives for");
                names_or_any(w, &PURPOSES, "any purpose", 8);
                if w.tape.chance(30) {
                    obligations(w);
                }
                if w.tape.chance(50) {
                    cites(w);
                }
            }
        }
        1 => {
            w.words("revocation opt-out for");
            let purposes = w.tape.some(&PURPOSES, 3);
            w.list(&purposes);
            if w.tape.chance(50) {
                obligations(w);
            }
            cites(w);
        }
        2 => {
            w.words("children under 016 about visitor");
            if w.tape.chance(50) {
                w.punct(",");
                w.words("user");
            }
            if w.tape.chance(50) {
                w.words("unless");
                condition(w, 2);
            }
            w.words("then delete");
        }
        _ => rule(w, index),
    }
}

fn policy_text(tape: &mut Tape) -> String {
    let mut w = Writer {
        tape,
        out: String::new(),
        comments: 0,
    };
    if w.tape.chance(50) {
        w.words("policy \"Generated\" version 2024-01-01");
    } else {
        w.words("policy \"Generated\" version");
        w.word("\"a draft\"");
        w.words("effective 2024-01-01");
    }
    vocabulary(&mut w);
    // Three parties, the revocation and the child rule once each, then rules.
    let mut kinds: Vec<(usize, usize)> = vec![(0, 0), (0, 1), (0, 2), (1, 0), (2, 0)];
    kinds.extend((0..1 + w.tape.pick(6)).map(|n| (3, n)));
    for i in 0..kinds.len() {
        let j = w.tape.pick(kinds.len());
        kinds.swap(i, j);
    }
    for (kind, index) in kinds {
        declaration(&mut w, index, kind);
    }
    w.gap(false);
    w.out
}

fn test_text(tape: &mut Tape) -> String {
    let mut w = Writer {
        tape,
        out: String::new(),
        comments: 0,
    };
    for index in 0..1 + w.tape.pick(4) {
        w.words("test");
        w.word(&format!("\"case {index} — with # and \\\"quotes\\\"\""));
        w.words("subject visitor");
        if w.tape.chance(50) {
            w.words("aged 034");
        }
        if w.tape.chance(60) {
            w.words("with flag");
            for value in ["n = 3.50", "j = \"US-CA\"", "tags = []", "flag = no"] {
                if w.tape.chance(40) {
                    w.punct(",");
                    w.words(value);
                }
            }
            if w.tape.chance(40) {
                w.punct(",");
                w.words("tags =");
                w.punct("[");
                w.words("\"a\"");
                w.punct(",");
                w.words("\"b\"");
                w.punct("]");
            }
        }
        for _ in 0..w.tape.pick(3) {
            w.one_of(&[
                "consented to p at 2026-01-01T10:00:00Z",
                "revoked p.m at 2026-02-01",
            ]);
        }
        let data = w.tape.some(&CATEGORIES, 20);
        let disclose = w.tape.chance(50);
        w.words(if disclose { "disclose" } else { "use" });
        w.list(&data);
        if disclose {
            w.words("to s");
        }
        w.words("for marketing_by_a_long_name");
        if w.tape.chance(60) {
            w.words("at 2026-03-01T00:00:00Z");
        }
        if w.tape.chance(40) {
            w.words("collected 2024-06-01");
        }
        w.one_of(&[
                "expect allowed by r-1 basis consent version 2024-01-01 with k1, k2, notify_recipients, delete",
                "expect denied by nothing",
                "expect denied by r-2 with delete",
                "expect error",
            ]);
    }
    w.gap(false);
    w.out
}

fn tapes() -> impl Strategy<Value = Vec<u16>> {
    proptest::collection::vec(any::<u16>(), 0..600)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn generated_policies_format_idempotently_to_the_same_policy(choices in tapes()) {
        let text = policy_text(&mut Tape { choices, at: 0 });
        let formatted = format_checked(&text, false);
        prop_assert_eq!(model(&[("g.lawful", &formatted)]), model(&[("g.lawful", &text)]));
    }

    #[test]
    fn generated_tests_format_idempotently_to_the_same_cases(choices in tapes()) {
        let text = test_text(&mut Tape { choices, at: 0 });
        let formatted = format_checked(&text, true);
        prop_assert_eq!(test_cases(&formatted), test_cases(&text));
    }
}

// ── The real files, re-spaced ───────────────────────────────────────────────

/// Replaces the whitespace between words of a file that parses with random
/// spacing, line breaks and blank lines, and adds comments.
fn respace(text: &str, tape: &mut Tape) -> String {
    let mut w = Writer {
        tape,
        out: String::new(),
        comments: 0,
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\r' | '\n' => {
                while chars.next_if(|c| c.is_whitespace()).is_some() {}
                w.gap(true);
            }
            '"' => {
                w.out.push(c);
                while let Some(c) = chars.next() {
                    w.out.push(c);
                    match c {
                        '\\' => w.out.extend(chars.next()),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '#' => {
                // A comment keeps its line end (the whitespace after it is re-spaced).
                w.out.push(c);
                while let Some(next) = chars.next_if(|c| *c != '\n') {
                    w.out.push(next);
                }
                w.out.push('\n');
            }
            _ => w.out.push(c),
        }
    }
    w.out
}

fn filestack(name: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join("rules/filestack").join(name)).unwrap()
}

const VERSIONS: [&str; 4] = [
    "2017-11-08.lawful",
    "2020-04-06.lawful",
    "2020-04-17.lawful",
    "2021-11-11.lawful",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn the_filestack_policy_respaced_formats_to_the_same_policy(
        choices in tapes(),
        which in 0..VERSIONS.len(),
    ) {
        let originals: Vec<String> = VERSIONS.iter().map(|v| filestack(v)).collect();
        let mut tape = Tape { choices, at: 0 };
        let respaced = respace(&originals[which], &mut tape);
        let formatted = format_checked(&respaced, false);
        let named = |texts: &[String]| -> String {
            let files: Vec<(&str, &str)> =
                VERSIONS.iter().zip(texts).map(|(v, t)| (*v, t.as_str())).collect();
            model(&files)
        };
        let mut changed = originals.clone();
        changed[which] = formatted;
        prop_assert_eq!(named(&changed), named(&originals));
    }

    #[test]
    fn the_filestack_tests_respaced_format_to_the_same_cases(choices in tapes()) {
        let original = filestack("filestack.test.lawful");
        let respaced = respace(&original, &mut Tape { choices, at: 0 });
        let formatted = format_checked(&respaced, true);
        prop_assert_eq!(test_cases(&formatted), test_cases(&original));
    }
}

// ── The command ─────────────────────────────────────────────────────────────

fn lawful(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lawful"))
        .args(args)
        .current_dir(ROOT)
        .output()
        .unwrap()
}

/// A fresh directory holding copies of the Filestack files.
fn copy_of_filestack(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lawful-fmt-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    for name in VERSIONS.iter().chain(&["filestack.test.lawful"]) {
        std::fs::write(dir.join(name), filestack(name)).unwrap();
    }
    dir
}

const UNFORMATTED: &str = "policy \"P\" version 2024-01-01\nrole a \"A\" category d \"D\" purpose p \"P\"\nrule r allow use of d about a for p basis consent cite \"S\"   # why\n";

#[test]
fn check_is_clean_on_filestack() {
    let out = lawful(&["fmt", "--check", "rules/filestack"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("0 files would be reformatted, 5 files already formatted")
    );
}

#[test]
fn check_names_an_unformatted_file_and_changes_nothing() {
    let dir = copy_of_filestack("check");
    let file = dir.join("nested/draft.lawful");
    std::fs::write(&file, UNFORMATTED).unwrap();
    let out = lawful(&["fmt", "--check", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let unchanged = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout, format!("would reformat {}\n", file.display()));
    assert_eq!(unchanged, UNFORMATTED);
}

#[test]
fn diff_prints_what_would_change() {
    let dir = copy_of_filestack("diff");
    let file = dir.join("draft.lawful");
    std::fs::write(&file, UNFORMATTED).unwrap();
    let out = lawful(&["fmt", "--diff", file.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    let name = file.display();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "--- {name}\n+++ {name} (formatted)\n@@ -1,3 +1,13 @@\n\
             -policy \"P\" version 2024-01-01\n-role a \"A\" category d \"D\" purpose p \"P\"\n\
             -rule r allow use of d about a for p basis consent cite \"S\"   # why\n\
             +policy \"P\"\n+version 2024-01-01\n+\n+role a \"A\"\n+category d \"D\"\n+purpose p \"P\"\n+\n\
             +rule r\n+  allow use of d\n+  about a\n+  for p\n+  basis consent\n+  cite \"S\"  # why\n"
        )
    );
}

#[test]
fn fmt_rewrites_files_in_place_and_leaves_formatted_ones_alone() {
    let dir = copy_of_filestack("write");
    let file = dir.join("draft.lawful");
    std::fs::write(&file, UNFORMATTED).unwrap();
    let out = lawful(&["fmt", dir.to_str().unwrap()]);
    let rewritten = std::fs::read_to_string(&file).unwrap();
    let again = lawful(&["fmt", "--check", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("formatted {}\n", file.display())
    );
    assert_eq!(rewritten, format_policy(UNFORMATTED).unwrap());
    assert_eq!(again.status.code(), Some(0));
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_left_alone() {
    let dir = copy_of_filestack("broken");
    let broken = dir.join("broken.lawful");
    let unformatted = dir.join("draft.lawful");
    std::fs::write(
        &broken,
        "policy \"P\" version 2024-01-01\nrule r alow use of d\n",
    )
    .unwrap();
    std::fs::write(&unformatted, UNFORMATTED).unwrap();
    let out = lawful(&["fmt", dir.to_str().unwrap()]);
    let left = std::fs::read_to_string(&broken).unwrap();
    let other = std::fs::read_to_string(&unformatted).unwrap();
    let missing = lawful(&[
        "fmt",
        "--check",
        dir.join("missing.lawful").to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&dir).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error[L001]"), "{stderr}");
    assert!(stderr.contains("broken.lawful:2:"), "{stderr}");
    assert_eq!(
        left,
        "policy \"P\" version 2024-01-01\nrule r alow use of d\n"
    );
    // The other files are still formatted.
    assert_eq!(other, format_policy(UNFORMATTED).unwrap());
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("missing.lawful"));
}

#[test]
fn fmt_needs_a_path_and_knows_its_flags() {
    assert_eq!(lawful(&["fmt"]).status.code(), Some(2));
    let out = lawful(&["fmt", "--chek", "rules/filestack"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a similar argument exists: '--check'"));
    let help = lawful(&["fmt", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("lawful fmt --check rules/filestack"));
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_stays_a_link_and_its_file_is_formatted() {
    let dir = std::env::temp_dir().join(format!("lawful-fmt-link-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("draft.txt");
    let link = dir.join("link.lawful");
    std::fs::write(&file, UNFORMATTED).unwrap();
    std::os::unix::fs::symlink(&file, &link).unwrap();
    let out = lawful(&["fmt", link.to_str().unwrap()]);
    let is_link = std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink();
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(is_link);
    assert_eq!(text, format_policy(UNFORMATTED).unwrap());
}
