//! The typed syntax tree of rule and test files, with the source span of every
//! part a diagnostic may point at. Lowered from pest's pairs by [`crate::lower`].

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

/// A name as written, such as `device.ip_address`.
pub type Name = Spanned<String>;

/// A list of names, or the word for all of them (`any data`, `anyone`, `any purpose`).
#[derive(Clone, Debug, PartialEq)]
pub enum NameList {
    /// Every name of the kind.
    Any(Span),
    /// The listed names.
    Names(Vec<Name>),
}

/// One version of a policy, as its file says it.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyFile {
    /// `policy "…" version …`.
    pub header: Header,
    /// Everything after the header, in order.
    pub declarations: Vec<Declaration>,
}

/// The version header.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// The policy's title.
    pub title: String,
    /// The version's name.
    pub version: Name,
    /// `effective DATE`, when written.
    pub effective: Option<Name>,
}

/// One declaration of a policy file.
#[derive(Clone, Debug, PartialEq)]
pub enum Declaration {
    /// `role NAME "label"`.
    Role(NameDecl),
    /// `category NAME "label"`.
    Category(NameDecl),
    /// `purpose NAME "label"`.
    Purpose(NameDecl),
    /// `obligation NAME "label"`.
    Obligation(NameDecl),
    /// `attribute NAME "label" is TYPE, default VALUE`.
    Attribute(AttributeDecl),
    /// `party NAME "label" receives for … then … cite …`.
    Party(PartyDecl),
    /// `rule ID allow|deny …`.
    Rule(Box<RuleDecl>),
    /// `revocation ID for … then … cite …`.
    Revocation(RevocationDecl),
    /// `children under N about … unless … then … cite …` (boxed: the largest
    /// declaration and the rarest, so the others do not take its room).
    Children(Box<ChildrenDecl>),
}

/// A name declared with a label.
#[derive(Clone, Debug, PartialEq)]
pub struct NameDecl {
    /// The name.
    pub name: Name,
    /// Its plain-English label.
    pub label: String,
    /// `fides "KEY"`: its key in the Fides taxonomy (roles, categories and purposes).
    pub fides: Option<Spanned<String>>,
}

/// The written type of an attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeName {
    /// `yes/no`
    YesNo,
    /// `number`
    Number,
    /// `text`
    Text,
    /// `set of text`
    TextSet,
}

/// A literal value in a condition or default.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `yes` or `no`.
    YesNo(bool),
    /// A number.
    Number(f64),
    /// Quoted text.
    Text(String),
}

/// `attribute NAME "label" is TYPE[, default VALUE]`.
#[derive(Clone, Debug, PartialEq)]
pub struct AttributeDecl {
    /// The attribute.
    pub name: Name,
    /// Its label.
    pub label: String,
    /// Its type.
    pub value_type: TypeName,
    /// Its default, when written.
    pub default: Option<Spanned<Literal>>,
}

/// An obligation in a `then` clause.
#[derive(Clone, Debug, PartialEq)]
pub struct ObligationItem {
    /// The obligation's name.
    pub name: Name,
    /// `within N days`.
    pub within_days: Option<u32>,
}

/// `party NAME "label" …`.
#[derive(Clone, Debug, PartialEq)]
pub struct PartyDecl {
    /// The party.
    pub name: Name,
    /// Its label.
    pub label: String,
    /// `receives for PURPOSES`.
    pub receives: Option<NameList>,
    /// What it must do with data it receives.
    pub obligations: Vec<ObligationItem>,
    /// The sections naming it.
    pub cites: Vec<Spanned<String>>,
}

/// What a rule does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffectKind {
    /// `allow use of`
    AllowUse,
    /// `deny use of`
    DenyUse,
    /// `deny disclosure of`
    DenyDisclosure,
}

/// A comparison operator.
pub use lawful_core::condition::Comparison;

/// A condition as written.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// An attribute alone, or compared, listed or searched.
    Test {
        /// The attribute.
        attribute: Name,
        /// What is checked of it; `None` means the yes/no attribute is yes.
        check: Option<Check>,
    },
    /// `consent to PURPOSE` (`present`), or `no consent to PURPOSE`.
    Consent {
        /// The purpose whose consent is asked about.
        purpose: Name,
        /// False for `no consent to`.
        present: bool,
    },
    /// `not …`
    Not(Box<Expr>),
    /// `… and …`
    And(Box<Expr>, Box<Expr>),
    /// `… or …`
    Or(Box<Expr>, Box<Expr>),
}

/// What a test checks of an attribute.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// `= 18`, `!= "EU"`, `< 16`…
    Compare(Comparison, Spanned<Literal>),
    /// `in ["EU", "UK"]`
    OneOf(Vec<Spanned<Literal>>),
    /// `contains "x"`
    Contains(Spanned<Literal>),
}

/// The part of a request a rule or exception is about.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Scope {
    /// `of CATEGORIES`.
    pub categories: Option<NameList>,
    /// `about ROLES`.
    pub roles: Option<NameList>,
    /// `for PURPOSES`.
    pub purposes: Option<NameList>,
    /// `to PARTIES`.
    pub parties: Option<NameList>,
    /// `when CONDITION`.
    pub condition: Option<Spanned<Expr>>,
}

/// `rule ID …`.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    /// The rule's id.
    pub id: Name,
    /// allow or deny, and what.
    pub effect: Spanned<EffectKind>,
    /// What the rule is about.
    pub scope: Scope,
    /// `basis NAME`.
    pub basis: Option<Name>,
    /// `except …` clauses.
    pub exceptions: Vec<Spanned<Scope>>,
    /// `then …`.
    pub obligations: Vec<ObligationItem>,
    /// `cite …`.
    pub cites: Vec<Spanned<String>>,
}

/// `revocation ID …`.
#[derive(Clone, Debug, PartialEq)]
pub struct RevocationDecl {
    /// The id decisions report.
    pub id: Name,
    /// `for PURPOSES`.
    pub purposes: Option<NameList>,
    /// Where `withdraws consent` is written; without it the revocation is an opt-out.
    pub withdraws: Option<Span>,
    /// `then …`.
    pub obligations: Vec<ObligationItem>,
    /// `cite …`.
    pub cites: Vec<Spanned<String>>,
}

/// `children under N …`.
#[derive(Clone, Debug, PartialEq)]
pub struct ChildrenDecl {
    /// The age threshold.
    pub under: Spanned<u32>,
    /// `about ROLES`: whom the rule covers.
    pub roles: Option<NameList>,
    /// `unless CONDITION`: what lifts the rule.
    pub unless: Option<Spanned<Expr>>,
    /// `then …`.
    pub obligations: Vec<ObligationItem>,
    /// `cite …`.
    pub cites: Vec<Spanned<String>>,
    /// The whole declaration.
    pub span: Span,
}

/// A file of expected decisions.
#[derive(Clone, Debug, PartialEq)]
pub struct TestFile {
    /// The cases, in order.
    pub cases: Vec<TestCase>,
}

/// A value given to a subject attribute in a test.
#[derive(Clone, Debug, PartialEq)]
pub enum TestValue {
    /// A literal.
    Literal(Literal),
    /// A list of texts.
    Texts(Vec<String>),
}

/// One expected decision.
#[derive(Clone, Debug, PartialEq)]
pub struct TestCase {
    /// What the case is called.
    pub name: String,
    /// Where the case starts.
    pub span: Span,
    /// The subject's role.
    pub role: Name,
    /// `aged N`.
    pub age: Option<u32>,
    /// `with a, b = …`; a bare name means yes.
    pub attributes: Vec<(Name, TestValue)>,
    /// `consented to PURPOSE at TIME`.
    pub consents: Vec<(Name, Name)>,
    /// `revoked PURPOSE at TIME`.
    pub revocations: Vec<(Name, Name)>,
    /// use or disclose.
    pub disclose: bool,
    /// The data categories.
    pub data: Vec<Name>,
    /// The recipient.
    pub party: Option<Name>,
    /// The purpose.
    pub purpose: Name,
    /// `at TIME`.
    pub at: Option<Name>,
    /// `collected TIME`.
    pub collected: Option<Name>,
    /// What must come out.
    pub expect: Expectation,
}

/// What a test expects.
#[derive(Clone, Debug, PartialEq)]
pub enum Expectation {
    /// `expect allowed [by RULE] [basis B] …`.
    Allowed {
        /// The rule that must allow.
        by: Option<Name>,
        /// The basis it must give.
        basis: Option<Name>,
        /// Version and obligations.
        details: ExpectDetails,
    },
    /// `expect denied [by RULE | by nothing] …`.
    Denied {
        /// `Some(None)`: by nothing; `Some(Some(id))`: by that rule.
        by: Option<Option<Name>>,
        /// Version and obligations.
        details: ExpectDetails,
    },
    /// `expect error`: the request must be refused as malformed.
    Error,
}

/// `version V` and `with OBLIGATIONS`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ExpectDetails {
    /// The version that must decide.
    pub version: Option<Name>,
    /// Obligation kinds that must be present.
    pub obligations: Vec<Name>,
}
