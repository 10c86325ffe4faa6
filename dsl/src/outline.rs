//! An outline of one file for editors: every name it declares and every name it
//! uses, each with its span. The language server answers hover, go to definition
//! and completion from it; nothing here checks that a used name is declared (the
//! compiler does that).

use crate::ast::{
    self, AttributeDecl, Declaration, Expectation, Expr, Header, NameDecl, NameList, PartyDecl,
    PolicyFile, RevocationDecl, RuleDecl, Span, Spanned, TestFile,
};
use crate::diagnostic::{Diagnostic, Source};
use crate::load::{TEST_SUFFIX, parse_policy, parse_tests};

/// What a name stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameKind {
    /// A subject role (`role visitor`).
    Role,
    /// A data category (`category contact.email`).
    Category,
    /// A purpose (`purpose marketing`).
    Purpose,
    /// A recipient (`party mailgun`).
    Party,
    /// A subject attribute (`attribute do_not_track`), or the built-in `age`.
    Attribute,
    /// An obligation (`obligation keep_confidential`), or a built-in one.
    Obligation,
    /// A rule id (`rule visitor-browsing`).
    Rule,
    /// A revocation id (`revocation marketing-opt-out`); decisions report it like a rule.
    Revocation,
    /// A lawful basis (`basis consent`); the bases are built in, never declared.
    Basis,
    /// A version's name (`version 2021-11-11`).
    Version,
}

impl NameKind {
    /// The kind in words, as messages say it ("data category").
    pub fn word(self) -> &'static str {
        match self {
            NameKind::Role => "role",
            NameKind::Category => "data category",
            NameKind::Purpose => "purpose",
            NameKind::Party => "party",
            NameKind::Attribute => "subject attribute",
            NameKind::Obligation => "obligation",
            NameKind::Rule => "rule",
            NameKind::Revocation => "revocation",
            NameKind::Basis => "lawful basis",
            NameKind::Version => "version",
        }
    }

    /// True for the kinds a test's `expect … by ID` may name.
    pub fn is_rule_like(self) -> bool {
        matches!(self, NameKind::Rule | NameKind::Revocation)
    }
}

/// What a declaration says, for showing it: a clone of its part of the syntax tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Declared {
    /// A role, category, purpose or obligation: a name and its label.
    Label(NameDecl),
    /// An attribute, with its type and default.
    Attribute(AttributeDecl),
    /// A party, with what it receives, its obligations and citations.
    Party(PartyDecl),
    /// A rule.
    Rule(Box<RuleDecl>),
    /// A revocation.
    Revocation(RevocationDecl),
    /// The version header.
    Version(Header),
}

impl Declared {
    /// The plain-English label, where the declaration has one.
    pub fn label(&self) -> Option<&str> {
        match self {
            Declared::Label(d) => Some(&d.label),
            Declared::Attribute(d) => Some(&d.label),
            Declared::Party(d) => Some(&d.label),
            Declared::Rule(_) | Declared::Revocation(_) | Declared::Version(_) => None,
        }
    }
}

/// A name declared in a file, and what its declaration says.
#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    /// What it is.
    pub kind: NameKind,
    /// The name as written.
    pub name: String,
    /// Where the name is written in its declaration.
    pub span: Span,
    /// What the declaration says.
    pub declared: Declared,
}

/// A name used in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// What the place it is written at asks for.
    pub kind: NameKind,
    /// The name as written.
    pub name: String,
    /// Where.
    pub span: Span,
}

/// Every declaration and every use of a name in one file, in the order written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outline {
    /// The names the file declares.
    pub declarations: Vec<Definition>,
    /// The names the file uses.
    pub references: Vec<Reference>,
}

impl Outline {
    /// The declaration or use whose name covers a byte offset (a cursor just after a
    /// name counts as on it).
    pub fn at(&self, offset: usize) -> Option<(NameKind, &str, Span)> {
        let covers = |span: Span| span.start <= offset && offset <= span.end;
        self.declarations
            .iter()
            .find(|d| covers(d.span))
            .map(|d| (d.kind, d.name.as_str(), d.span))
            .or_else(|| {
                self.references
                    .iter()
                    .find(|r| covers(r.span))
                    .map(|r| (r.kind, r.name.as_str(), r.span))
            })
    }

    /// The declaration of a name of a kind in this file.
    pub fn declaration(&self, kind: NameKind, name: &str) -> Option<&Definition> {
        self.declarations
            .iter()
            .find(|d| d.kind == kind && d.name == name)
    }

    fn declare(&mut self, kind: NameKind, name: &ast::Name, declared: Declared) {
        self.declarations.push(Definition {
            kind,
            name: name.node.clone(),
            span: name.span,
            declared,
        });
    }

    fn refer(&mut self, kind: NameKind, name: &ast::Name) {
        self.references.push(Reference {
            kind,
            name: name.node.clone(),
            span: name.span,
        });
    }

    fn refer_list(&mut self, kind: NameKind, list: Option<&NameList>) {
        if let Some(NameList::Names(names)) = list {
            for name in names {
                self.refer(kind, name);
            }
        }
    }

    fn refer_obligations(&mut self, items: &[ast::ObligationItem]) {
        for item in items {
            self.refer(NameKind::Obligation, &item.name);
        }
    }

    fn refer_scope(&mut self, scope: &ast::Scope) {
        self.refer_list(NameKind::Category, scope.categories.as_ref());
        self.refer_list(NameKind::Role, scope.roles.as_ref());
        self.refer_list(NameKind::Purpose, scope.purposes.as_ref());
        self.refer_list(NameKind::Party, scope.parties.as_ref());
        if let Some(condition) = &scope.condition {
            self.refer_condition(condition);
        }
    }

    fn refer_condition(&mut self, condition: &Spanned<Expr>) {
        // An explicit stack: conditions may be as deep as the parser allows.
        let mut stack = vec![&condition.node];
        while let Some(expr) = stack.pop() {
            match expr {
                Expr::Test { attribute, .. } => self.refer(NameKind::Attribute, attribute),
                Expr::Consent { purpose, .. } => self.refer(NameKind::Purpose, purpose),
                Expr::Not(inner) => stack.push(inner),
                Expr::And(left, right) | Expr::Or(left, right) => {
                    // Right first, so the left is visited first and references stay in order.
                    stack.push(right);
                    stack.push(left);
                }
            }
        }
    }

    fn rule(&mut self, rule: &RuleDecl) {
        self.declare(
            NameKind::Rule,
            &rule.id,
            Declared::Rule(Box::new(rule.clone())),
        );
        self.refer_scope(&rule.scope);
        if let Some(basis) = &rule.basis {
            self.refer(NameKind::Basis, basis);
        }
        for exception in &rule.exceptions {
            self.refer_scope(&exception.node);
        }
        self.refer_obligations(&rule.obligations);
    }

    fn party(&mut self, party: &PartyDecl) {
        self.declare(NameKind::Party, &party.name, Declared::Party(party.clone()));
        self.refer_list(NameKind::Purpose, party.receives.as_ref());
        self.refer_obligations(&party.obligations);
    }

    fn revocation(&mut self, revocation: &RevocationDecl) {
        self.declare(
            NameKind::Revocation,
            &revocation.id,
            Declared::Revocation(revocation.clone()),
        );
        self.refer_list(NameKind::Purpose, revocation.purposes.as_ref());
        self.refer_obligations(&revocation.obligations);
    }

    fn test_case(&mut self, case: &ast::TestCase) {
        self.refer(NameKind::Role, &case.role);
        for (attribute, _) in &case.attributes {
            self.refer(NameKind::Attribute, attribute);
        }
        for (purpose, _) in case.consents.iter().chain(&case.revocations) {
            self.refer(NameKind::Purpose, purpose);
        }
        for category in &case.data {
            self.refer(NameKind::Category, category);
        }
        if let Some(party) = &case.party {
            self.refer(NameKind::Party, party);
        }
        self.refer(NameKind::Purpose, &case.purpose);
        let details = match &case.expect {
            Expectation::Allowed { by, basis, details } => {
                if let Some(by) = by {
                    self.refer(NameKind::Rule, by);
                }
                if let Some(basis) = basis {
                    self.refer(NameKind::Basis, basis);
                }
                details
            }
            Expectation::Denied { by, details } => {
                if let Some(Some(by)) = by {
                    self.refer(NameKind::Rule, by);
                }
                details
            }
            Expectation::Error => return,
        };
        if let Some(version) = &details.version {
            self.refer(NameKind::Version, version);
        }
        for obligation in &details.obligations {
            self.refer(NameKind::Obligation, obligation);
        }
    }
}

/// The outline of a parsed policy file.
pub fn policy_outline(file: &PolicyFile) -> Outline {
    let mut outline = Outline::default();
    outline.declare(
        NameKind::Version,
        &file.header.version,
        Declared::Version(file.header.clone()),
    );
    for declaration in &file.declarations {
        match declaration {
            Declaration::Role(d) => {
                outline.declare(NameKind::Role, &d.name, Declared::Label(d.clone()))
            }
            Declaration::Category(d) => {
                outline.declare(NameKind::Category, &d.name, Declared::Label(d.clone()))
            }
            Declaration::Purpose(d) => {
                outline.declare(NameKind::Purpose, &d.name, Declared::Label(d.clone()))
            }
            Declaration::Obligation(d) => {
                outline.declare(NameKind::Obligation, &d.name, Declared::Label(d.clone()))
            }
            Declaration::Attribute(d) => {
                outline.declare(NameKind::Attribute, &d.name, Declared::Attribute(d.clone()))
            }
            Declaration::Party(d) => outline.party(d),
            Declaration::Rule(rule) => outline.rule(rule),
            Declaration::Revocation(d) => outline.revocation(d),
            Declaration::Children(c) => {
                outline.refer_list(NameKind::Role, c.roles.as_ref());
                if let Some(unless) = &c.unless {
                    outline.refer_condition(unless);
                }
                outline.refer_obligations(&c.obligations);
            }
        }
    }
    outline
}

/// The outline of a parsed test file: it declares nothing and uses names of the
/// versions beside it.
pub fn test_outline(file: &TestFile) -> Outline {
    let mut outline = Outline::default();
    for case in &file.cases {
        outline.test_case(case);
    }
    outline
}

/// True when a file name is a test file's (`*.test.lawful`).
pub fn is_test_file(name: &str) -> bool {
    name.ends_with(TEST_SUFFIX)
}

/// Parses a source, as a test file when its name ends in `.test.lawful` and as a
/// policy version otherwise, and outlines it. Spans are byte offsets into
/// `source.text` (which has no byte-order mark).
pub fn outline(source: &Source) -> Result<Outline, Vec<Diagnostic>> {
    if is_test_file(&source.name) {
        parse_tests(source).map(|file| test_outline(&file))
    } else {
        parse_policy(source).map(|file| policy_outline(&file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(outline: &Outline, kind: NameKind) -> Vec<(&str, bool)> {
        let declared = outline
            .declarations
            .iter()
            .filter(|d| d.kind == kind)
            .map(|d| (d.name.as_str(), true));
        let used = outline
            .references
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| (r.name.as_str(), false));
        declared.chain(used).collect()
    }

    const POLICY: &str = r#"policy "P" version 2024-01-01
role visitor "a visitor"
category contact "contact details"
category contact.email "email"
purpose marketing "to market"
party mailgun "Mailgun" receives for marketing then keep cite "Disclosure"
attribute dnt "do not track" is yes/no, default no
obligation keep "keep it"
rule mail
  allow use of contact.email about visitor for marketing basis consent
  when not dnt and consent to marketing
  cite "Use"
revocation opt-out for marketing then keep cite "Choices"
children under 13 about visitor unless age > 12 cite "Children"
"#;

    #[test]
    fn a_policy_file_declares_and_uses_names_with_their_spans() {
        let source = Source::new("p.lawful", POLICY);
        let outline = outline(&source).unwrap();
        assert_eq!(
            names(&outline, NameKind::Purpose),
            [
                ("marketing", true),
                ("marketing", false),
                ("marketing", false),
                ("marketing", false),
                ("marketing", false)
            ]
        );
        assert_eq!(
            names(&outline, NameKind::Attribute),
            [("dnt", true), ("dnt", false), ("age", false)]
        );
        assert_eq!(names(&outline, NameKind::Basis), [("consent", false)]);
        assert_eq!(names(&outline, NameKind::Version), [("2024-01-01", true)]);
        let rule = outline.declaration(NameKind::Rule, "mail");
        let span = rule.unwrap().span;
        assert_eq!(POLICY.get(span.start..span.end), Some("mail"));
        assert!(
            outline
                .declaration(NameKind::Revocation, "opt-out")
                .is_some()
        );
        let party = outline.declaration(NameKind::Party, "mailgun");
        assert_eq!(party.and_then(|d| d.declared.label()), Some("Mailgun"));
    }

    #[test]
    fn the_name_under_an_offset_is_found_even_just_after_it() {
        let source = Source::new("p.lawful", POLICY);
        let outline = outline(&source).unwrap();
        let at = POLICY.find("about visitor").unwrap() + "about ".len();
        assert_eq!(
            outline.at(at).map(|(k, n, _)| (k, n)),
            Some((NameKind::Role, "visitor"))
        );
        let end = at + "visitor".len();
        assert_eq!(outline.at(end).map(|(_, n, _)| n), Some("visitor"));
        assert_eq!(outline.at(0), None);
    }

    #[test]
    fn a_test_file_uses_rules_versions_and_names() {
        let text = r#"test "t"
  subject visitor with dnt
  consented to marketing at 2026-01-01
  disclose contact.email to mailgun for marketing at 2026-03-01
  expect allowed by mail basis consent version 2024-01-01 with keep
"#;
        let source = Source::new("p.test.lawful", text);
        let outline = outline(&source).unwrap();
        assert!(outline.declarations.is_empty());
        let kinds: Vec<(NameKind, &str)> = outline
            .references
            .iter()
            .map(|r| (r.kind, r.name.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (NameKind::Role, "visitor"),
                (NameKind::Attribute, "dnt"),
                (NameKind::Purpose, "marketing"),
                (NameKind::Category, "contact.email"),
                (NameKind::Party, "mailgun"),
                (NameKind::Purpose, "marketing"),
                (NameKind::Rule, "mail"),
                (NameKind::Basis, "consent"),
                (NameKind::Version, "2024-01-01"),
                (NameKind::Obligation, "keep"),
            ]
        );
    }

    #[test]
    fn a_file_that_does_not_parse_has_no_outline() {
        let source = Source::new("p.lawful", "policy \"P\" version 2024-01-01\nrule\n");
        assert!(outline(&source).is_err());
    }
}
