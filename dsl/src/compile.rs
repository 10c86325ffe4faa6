//! Compiling: the AST of each version file → core's [`PolicyModel`], checking every
//! name, type and clause, and collecting every problem at once.

// Fx hashing, as the vocabulary in core uses for the same names: these maps are
// filled and probed once for each name a file declares or uses.
use rustc_hash::FxHashMap as HashMap;

use lawful_core::condition::{Condition, MAX_CONDITION_DEPTH};
use lawful_core::ids::{AttributeId, CategoryId, NameId, ObligationId, PartyId, PurposeId, RoleId};
use lawful_core::model::{
    Basis, Children, Effect, NameNotes, Obligation, Party, PolicyModel, Revocation, RevocationKind,
    Rule, Scope, Target, VersionModel,
};
use lawful_core::request::MAX_AGE;
use lawful_core::suggest::suggest;
use lawful_core::vocab::{
    BUILTIN_OBLIGATIONS, DELETE, NOTIFY_RECIPIENTS, NameTable, Vocabulary, VocabularyFull,
};
use lawful_core::{CHILD_RULE, Timestamp, Value, ValueType};

use crate::ast::{
    self, Declaration, EffectKind, Expr, Literal, NameList, PolicyFile, Span, Spanned, TypeName,
};
use crate::diagnostic::{Diagnostic, Diagnostics, Severity, Source};
use crate::labels::VersionLabels;
use crate::lint;

/// What the compiler produced: the model, and warnings that do not stop loading.
pub struct Compiled {
    /// The model, ready for `lawful_core::Policy::compile`.
    pub model: PolicyModel,
    /// Warnings (at most [`crate::diagnostic::MAX_DIAGNOSTICS`]).
    pub warnings: Vec<Diagnostic>,
    /// The labels each version gives that differ from the vocabulary's.
    pub labels: VersionLabels,
}

/// The kinds of name a file declares: those that have labels.
pub(crate) use crate::labels::LabelKind as Kind;

impl Kind {
    pub(crate) fn word(self) -> &'static str {
        match self {
            Kind::Role => "role",
            Kind::Category => "data category",
            Kind::Purpose => "purpose",
            Kind::Party => "party",
            Kind::Attribute => "subject attribute",
            Kind::Obligation => "obligation",
        }
    }

    fn keyword(self) -> &'static str {
        match self {
            Kind::Role => "role",
            Kind::Category => "category",
            Kind::Purpose => "purpose",
            Kind::Party => "party",
            Kind::Attribute => "attribute",
            Kind::Obligation => "obligation",
        }
    }
}

/// An id a file's names resolve to: its kind, and the vocabulary's table of that kind.
trait Named: NameId {
    const KIND: Kind;
    fn table(vocabulary: &Vocabulary) -> &NameTable<Self>;
}

macro_rules! named {
    ($($id:ident: $kind:ident => |$v:ident| $table:expr;)*) => {$(
        impl Named for $id {
            const KIND: Kind = Kind::$kind;
            fn table($v: &Vocabulary) -> &NameTable<Self> {
                $table
            }
        }
    )*};
}

named! {
    RoleId: Role => |v| v.roles();
    CategoryId: Category => |v| v.categories().table();
    PurposeId: Purpose => |v| v.purposes().table();
    PartyId: Party => |v| v.parties();
    AttributeId: Attribute => |v| v.attributes();
    ObligationId: Obligation => |v| v.obligations();
}

/// The names of one kind a version declares: in order (for suggestions), and by
/// name, with the file (its index among those compiled) and the span. The names are borrowed from the file's syntax tree, not copied.
#[derive(Default)]
pub(crate) struct KindNames<'f> {
    order: Vec<&'f str>,
    spans: HashMap<&'f str, (usize, Span)>,
}

impl<'f> KindNames<'f> {
    /// Where the name was declared, if it was.
    fn span(&self, name: &str) -> Option<(usize, Span)> {
        self.spans.get(name).copied()
    }

    fn add(&mut self, name: &'f str, file: usize, span: Span) {
        self.order.push(name);
        self.spans.insert(name, (file, span));
    }
}

/// Where something was first written, for "the first is …" in a message about a
/// second one: its line, and its file when that is another file of the version.
fn first_place(
    files: &[(Source, PolicyFile)],
    here: &Source,
    (file, span): (usize, Span),
) -> String {
    match files.get(file) {
        Some((source, _)) if source.name != here.name => {
            format!("in `{}` on line {}", source.name, source.locate(span).line)
        }
        _ => format!("on line {}", here.locate(span).line),
    }
}

/// The names one version (all its files) declares, with where.
#[derive(Default)]
pub(crate) struct Declared<'f> {
    pub(crate) names: HashMap<Kind, KindNames<'f>>,
}

impl Declared<'_> {
    pub(crate) fn has(&self, kind: Kind, name: &str) -> bool {
        self.names
            .get(&kind)
            .is_some_and(|k| k.spans.contains_key(name))
    }

    pub(crate) fn all(&self, kind: Kind) -> impl Iterator<Item = &str> {
        self.names
            .get(&kind)
            .into_iter()
            .flat_map(|k| k.order.iter().copied())
    }
}

fn value_type(t: TypeName) -> ValueType {
    match t {
        TypeName::YesNo => ValueType::YesNo,
        TypeName::Number => ValueType::Number,
        TypeName::Text => ValueType::Text,
        TypeName::TextSet => ValueType::TextSet,
    }
}

fn literal_type(l: &Literal) -> ValueType {
    match l {
        Literal::YesNo(_) => ValueType::YesNo,
        Literal::Number(_) => ValueType::Number,
        Literal::Text(_) => ValueType::Text,
    }
}

fn literal_value(l: &Literal) -> Value {
    match l {
        Literal::YesNo(b) => Value::YesNo(*b),
        Literal::Number(n) => Value::Number(*n),
        Literal::Text(t) => Value::Text(t.as_str().into()),
    }
}

/// Puts a built-in obligation first, unless the list already has it: a revocation
/// always notifies the recipients, the child rule always deletes.
fn first_of_all(obligations: &mut Vec<Obligation>, kind: lawful_core::ids::ObligationId) {
    if !obligations.iter().any(|o| o.kind == kind) {
        obligations.insert(
            0,
            Obligation {
                kind,
                within_days: None,
            },
        );
    }
}

/// Compiles every version file of a policy together. Files whose headers name the
/// same version are parts of it: each sees the names any part declares, a name or
/// rule id declared in two parts is an error, and the rules follow each other in
/// the order of the files. At most
/// [`crate::diagnostic::MAX_DIAGNOSTICS`] problems are returned, the last saying
/// how many more there were (`L005`) when there were more.
pub fn compile(files: &[(Source, PolicyFile)]) -> Result<Compiled, Vec<Diagnostic>> {
    let mut diagnostics = Diagnostics::new();
    match compile_with(files, &mut diagnostics) {
        Some((model, labels)) => Ok(Compiled {
            model,
            warnings: diagnostics.into_vec(),
            labels,
        }),
        None => Err(diagnostics.into_vec()),
    }
}

/// Compiles every version file of a policy together, reporting to `diagnostics`
/// (sorted: errors first, then warnings, each in the order of files and lines).
/// `None` when there are errors.
pub(crate) fn compile_with(
    files: &[(Source, PolicyFile)],
    diagnostics: &mut Diagnostics,
) -> Option<(PolicyModel, VersionLabels)> {
    let mut vocabulary = Vocabulary::new();
    let groups = version_groups(files, diagnostics);
    let mut declared: Vec<Declared> = Vec::new();
    for group in &groups {
        declared.push(declare(files, group, &mut vocabulary, diagnostics));
    }
    // Each version: its parts (one per file, in file order, each with its file)
    // and its first file.
    let mut versions: Vec<(Parts, usize)> = Vec::new();
    for (group, names) in groups.iter().zip(&declared) {
        let mut seen = Seen::default();
        let mut parts = Vec::new();
        for &index in group {
            let Some((source, file)) = files.get(index) else {
                continue;
            };
            let mut cx = FileCompiler {
                source,
                files,
                vocabulary: &vocabulary,
                declared: names,
                diagnostics,
            };
            if let Some(part) = cx.version(file, index, &mut seen) {
                parts.push((part, index));
            }
        }
        if parts.len() == group.len() && !parts.is_empty() {
            versions.push((parts, group.first().copied().unwrap_or(0)));
        }
    }
    // Parts of one version agree on its name and date, so the first speaks for it.
    let headed: Vec<(&VersionModel, &Source, &PolicyFile)> = versions
        .iter()
        .filter_map(|(parts, first)| {
            let (part, _) = parts.first()?;
            files.get(*first).map(|(s, f)| (part, s, f))
        })
        .collect();
    check_versions(&headed, diagnostics);
    // Lints only make sense of files that compiled cleanly. Each file is linted with
    // its own part of the version; a purpose another part's rule allows is not
    // reported as allowed by nothing.
    if !diagnostics.has_errors() {
        for (parts, _) in &versions {
            // What any part allows, found once for the version, not once a part.
            let allowed = if parts.len() > 1 {
                lint::allowed_by(&vocabulary, parts.iter().flat_map(|(p, _)| &p.rules))
            } else {
                Vec::new()
            };
            for (part, index) in parts {
                if let Some((source, file)) = files.get(*index) {
                    lint::lint(source, file, part, &vocabulary, &allowed, diagnostics);
                }
            }
        }
    }
    // Errors first, then warnings; each in the order of the files and lines.
    let mut file_order: HashMap<&str, usize> = HashMap::default();
    for (i, (s, _)) in files.iter().enumerate() {
        file_order.entry(s.name.as_str()).or_insert(i);
    }
    diagnostics.sort_by_key(|d| {
        let place = d.location.as_ref().map(|l| (l.line, l.column));
        let file = d
            .location
            .as_ref()
            .and_then(|l| file_order.get(l.file.as_str()).copied());
        (std::cmp::Reverse(d.severity), file, place)
    });
    if diagnostics.has_errors() {
        return None;
    }
    let labels = VersionLabels::collect(files, &vocabulary);
    let model = PolicyModel {
        vocabulary,
        versions: versions
            .into_iter()
            .filter_map(|(parts, _)| merge(parts))
            .collect(),
    };
    Some((model, labels))
}

/// The parts of a version, each with the index of its file.
type Parts = Vec<(VersionModel, usize)>;

/// The files of each version, in the order of the files, by the version their
/// headers name. Parts of one version must agree on its title and effective date.
fn version_groups(
    files: &[(Source, PolicyFile)],
    diagnostics: &mut Diagnostics,
) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut by_name: HashMap<&str, usize> = HashMap::default();
    for (index, (source, file)) in files.iter().enumerate() {
        let header = &file.header;
        let Some(&group) = by_name.get(header.version.node.as_str()) else {
            by_name.insert(&header.version.node, groups.len());
            groups.push(vec![index]);
            continue;
        };
        let first = groups
            .get(group)
            .and_then(|g| g.first())
            .and_then(|f| files.get(*f));
        if let Some((first_source, first_file)) = first {
            let effective = |f: &PolicyFile| f.header.effective.as_ref().map(|e| e.node.clone());
            let differs = if first_file.header.title != header.title {
                Some("title")
            } else if effective(first_file) != effective(file) {
                Some("effective date")
            } else {
                None
            };
            if let Some(what) = differs {
                diagnostics.push(source.at(
                    header.version.span,
                    Diagnostic::error(
                        "L020",
                        format!(
                            "version `{}` is also declared in `{}`, with another {what}",
                            header.version.node, first_source.name
                        ),
                    )
                    .with_help(
                        "files of one version share its header: give them the same `policy` title and `effective` date, or another version",
                    ),
                ));
            }
        }
        if let Some(g) = groups.get_mut(group) {
            g.push(index);
        }
    }
    groups
}

/// One version from its parts (in file order): the first part's header, then
/// every part's declarations and rules in turn, moved, not copied.
fn merge(parts: Parts) -> Option<VersionModel> {
    let mut parts = parts.into_iter();
    let (mut version, _) = parts.next()?;
    for (mut part, _) in parts {
        version.roles.append(&mut part.roles);
        version.categories.append(&mut part.categories);
        version.purposes.append(&mut part.purposes);
        version.attributes.append(&mut part.attributes);
        version.parties.append(&mut part.parties);
        version.rules.append(&mut part.rules);
        version.revocations.append(&mut part.revocations);
        if version.children.is_none() {
            version.children = part.children.take();
        }
    }
    Some(version)
}

fn check_versions(
    versions: &[(&VersionModel, &Source, &PolicyFile)],
    diagnostics: &mut Diagnostics,
) {
    let mut by_name: HashMap<&str, usize> = HashMap::default();
    let mut by_date: HashMap<Timestamp, usize> = HashMap::default();
    for (i, (a, source, file)) in versions.iter().enumerate() {
        let same_name = *by_name.entry(&*a.name).or_insert(i);
        let same_date = *by_date.entry(a.effective).or_insert(i);
        let clash = if same_name != i {
            versions.get(same_name).map(|(_, other, _)| {
                format!(
                    "version `{}` is declared again (also in `{}`)",
                    a.name, other.name
                )
            })
        } else if same_date != i {
            versions.get(same_date).map(|(b, _, _)| {
                format!(
                    "versions `{}` and `{}` take effect on the same day, {}",
                    b.name,
                    a.name,
                    a.effective.date_string()
                )
            })
        } else {
            None
        };
        if let Some(message) = clash {
            diagnostics.push(
                source.at(
                    file.header.version.span,
                    Diagnostic::error("L020", message)
                        .with_help("each version file needs its own version and date"),
                ),
            );
        }
    }
}

fn full(source: &Source, span: Span) -> Diagnostic {
    source.at(span, Diagnostic::error("L002", VocabularyFull.to_string()))
}

/// The fields of a request's subject that are not attributes: an attribute of
/// one of these names could never be given (`age` is built in, and `L021`).
const SUBJECT_FIELDS: [&str; 3] = ["role", "consents", "revocations"];

/// First pass over a version's files: their declarations, interned into the
/// shared vocabulary.
fn declare<'f>(
    files: &'f [(Source, PolicyFile)],
    group: &[usize],
    vocabulary: &mut Vocabulary,
    diagnostics: &mut Diagnostics,
) -> Declared<'f> {
    let mut declared = Declared::default();
    let mut trees: Vec<(Kind, &ast::NameDecl, &Source)> = Vec::new();
    for &index in group {
        let Some((source, file)) = files.get(index) else {
            continue;
        };
        declare_file(
            (index, source, file),
            files,
            &mut declared,
            &mut trees,
            vocabulary,
            diagnostics,
        );
    }
    // Parents before children, whatever order the files declare them in.
    trees.sort_by_cached_key(|(_, d, _)| d.name.node.matches('.').count());
    for (kind, d, source) in trees {
        if let Some((parent, _)) = d.name.node.rsplit_once('.') {
            if !declared.has(kind, parent) {
                diagnostics.push(
                    source.at(
                        d.name.span,
                        Diagnostic::error(
                            "L012",
                            format!(
                                "{} `{}` is inside `{parent}`, which is not declared",
                                kind.word(),
                                d.name.node
                            ),
                        )
                        .with_help(format!("declare it too: {} {parent} \"…\"", kind.keyword())),
                    ),
                );
                continue;
            }
        }
        let result = match kind {
            Kind::Category => vocabulary.add_category(&d.name.node, &d.label).map(drop),
            _ => vocabulary.add_purpose(&d.name.node, &d.label).map(drop),
        };
        if result.is_err() {
            diagnostics.push(full(source, d.name.span));
        }
    }
    declared
}

/// The declarations of one file of a version, into the version's names; categories
/// and purposes wait in `trees` until every file is read.
fn declare_file<'f>(
    (index, source, file): (usize, &'f Source, &'f PolicyFile),
    files: &[(Source, PolicyFile)],
    declared: &mut Declared<'f>,
    trees: &mut Vec<(Kind, &'f ast::NameDecl, &'f Source)>,
    vocabulary: &mut Vocabulary,
    diagnostics: &mut Diagnostics,
) {
    for declaration in &file.declarations {
        let (kind, name) = match declaration {
            Declaration::Role(d) => (Kind::Role, &d.name),
            Declaration::Category(d) => (Kind::Category, &d.name),
            Declaration::Purpose(d) => (Kind::Purpose, &d.name),
            Declaration::Obligation(d) => (Kind::Obligation, &d.name),
            Declaration::Attribute(d) => (Kind::Attribute, &d.name),
            Declaration::Party(d) => (Kind::Party, &d.name),
            _ => continue,
        };
        let list = declared.names.entry(kind).or_default();
        if let Some(first) = list.span(&name.node) {
            let place = first_place(files, source, first);
            diagnostics.push(
                source.at(
                    name.span,
                    Diagnostic::error(
                        "L011",
                        format!("{} `{}` is declared twice", kind.word(), name.node),
                    )
                    .with_help(format!("remove one of the two; the first is {place}")),
                ),
            );
            continue;
        }
        if kind == Kind::Attribute && SUBJECT_FIELDS.contains(&name.node.as_str()) {
            diagnostics.push(
                source.at(
                    name.span,
                    Diagnostic::error(
                        "L027",
                        format!(
                            "`{}` is a field of a request's subject, so an attribute of that name could never be given",
                            name.node
                        ),
                    )
                    .with_help("choose another name for the attribute"),
                ),
            );
            continue;
        }
        let builtin = match kind {
            Kind::Obligation => BUILTIN_OBLIGATIONS.contains(&name.node.as_str()),
            Kind::Attribute => name.node == "age",
            _ => false,
        };
        if builtin {
            diagnostics.push(
                source.at(
                    name.span,
                    Diagnostic::error(
                        "L021",
                        format!("`{}` is built in and cannot be declared", name.node),
                    )
                    .with_help("remove this declaration; rules may use the name as it is"),
                ),
            );
            continue;
        }
        list.add(&name.node, index, name.span);
        let result = match declaration {
            Declaration::Role(d) => vocabulary.add_role(&d.name.node, &d.label).map(drop),
            Declaration::Obligation(d) => {
                vocabulary.add_obligation(&d.name.node, &d.label).map(drop)
            }
            Declaration::Party(d) => vocabulary.add_party(&d.name.node, &d.label).map(drop),
            Declaration::Category(d) | Declaration::Purpose(d) => {
                trees.push((kind, d, source));
                Ok(())
            }
            Declaration::Attribute(d) => {
                match vocabulary.add_attribute(&d.name.node, &d.label, value_type(d.value_type)) {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(held)) => {
                        diagnostics.push(
                            source.at(
                                d.name.span,
                                Diagnostic::error(
                                    "L020",
                                    format!(
                                        "attribute `{}` is {} here but {} in another version",
                                        d.name.node,
                                        value_type(d.value_type).described(),
                                        held.described()
                                    ),
                                )
                                .with_help(
                                    "an attribute keeps one type across all versions of a policy",
                                ),
                            ),
                        );
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            _ => Ok(()),
        };
        if result.is_err() {
            diagnostics.push(full(source, name.span));
        }
    }
}

/// What the files of one version have declared so far that must be unique across
/// them: rule and revocation ids, the child rule, revocations of every purpose.
#[derive(Default)]
struct Seen {
    ids: HashMap<String, (usize, Span)>,
    children: Option<(usize, Span)>,
    unscoped_revocation: bool,
}

/// Second pass over a file: its rules, parties and the rest, resolved to ids.
struct FileCompiler<'a> {
    source: &'a Source,
    /// Every file compiled, to say where an earlier declaration is.
    files: &'a [(Source, PolicyFile)],
    vocabulary: &'a Vocabulary,
    declared: &'a Declared<'a>,
    diagnostics: &'a mut Diagnostics,
}

impl FileCompiler<'_> {
    fn error(&mut self, span: Span, diagnostic: Diagnostic) {
        self.diagnostics.push(self.source.at(span, diagnostic));
    }

    /// Resolves a declared name to its id in the shared vocabulary.
    fn resolve<Id: Named>(&mut self, name: &Spanned<String>) -> Option<Id> {
        let kind = Id::KIND;
        let builtin = (kind == Kind::Attribute && name.node == "age")
            || (kind == Kind::Obligation && BUILTIN_OBLIGATIONS.contains(&name.node.as_str()));
        if !builtin && !self.declared.has(kind, &name.node) {
            let unknown =
                Diagnostic::error("L010", format!("unknown {} `{}`", kind.word(), name.node));
            // Past the diagnostics kept, a suggestion would be worked out for nothing.
            if !self.diagnostics.keeps(Severity::Error) {
                self.error(name.span, unknown);
                return None;
            }
            let mut candidates: Vec<&str> = self.declared.all(kind).collect();
            if kind == Kind::Attribute {
                candidates.push("age");
            }
            if kind == Kind::Obligation {
                candidates.extend(BUILTIN_OBLIGATIONS);
            }
            let help = match suggest(&name.node, candidates.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "declare it in this file: {} {} \"…\"",
                    kind.keyword(),
                    name.node
                ),
            };
            self.error(name.span, unknown.with_help(help));
            return None;
        }
        Id::table(self.vocabulary).position(&name.node)
    }

    /// Resolves a list of names (`None` or `any …` is any name of the kind).
    fn scope<Id: Named>(&mut self, list: Option<&NameList>) -> Scope<Id> {
        match list {
            None | Some(NameList::Any(_)) => Scope::Any,
            Some(NameList::Names(names)) => {
                Scope::Only(names.iter().filter_map(|n| self.resolve(n)).collect())
            }
        }
    }

    fn obligations(&mut self, items: &[ast::ObligationItem]) -> Vec<Obligation> {
        let mut out: Vec<Obligation> = Vec::new();
        for item in items {
            if let Some(kind) = self.resolve::<ObligationId>(&item.name) {
                if !out.iter().any(|o| o.kind == kind) {
                    out.push(Obligation {
                        kind,
                        within_days: item.within_days,
                    });
                }
            }
        }
        out
    }

    fn target(&mut self, scope: &ast::Scope) -> Target {
        let roles = self.scope::<RoleId>(scope.roles.as_ref());
        let categories = self.scope::<CategoryId>(scope.categories.as_ref());
        let purposes = self.scope::<PurposeId>(scope.purposes.as_ref());
        let parties = scope
            .parties
            .as_ref()
            .map(|list| self.scope::<PartyId>(Some(list)));
        let condition = scope.condition.as_ref().and_then(|c| self.condition(c));
        Target {
            roles,
            categories,
            purposes,
            parties,
            condition,
        }
    }

    fn condition(&mut self, expr: &Spanned<Expr>) -> Option<Condition> {
        let condition = self.expr(&expr.node)?;
        if condition.depth() > MAX_CONDITION_DEPTH {
            self.error(
                expr.span,
                Diagnostic::error(
                    "L003",
                    format!("this condition nests more than {MAX_CONDITION_DEPTH} deep"),
                )
                .with_help("split it into several rules"),
            );
            return None;
        }
        Some(condition)
    }

    fn expr(&mut self, expr: &Expr) -> Option<Condition> {
        match expr {
            Expr::Consent { purpose, present } => {
                let consent = Condition::Consent(self.resolve::<PurposeId>(purpose)?);
                Some(if *present {
                    consent
                } else {
                    Condition::Not(Box::new(consent))
                })
            }
            Expr::Not(inner) => Some(Condition::Not(Box::new(self.expr(inner)?))),
            Expr::And(a, b) | Expr::Or(a, b) => {
                let (a, b) = (self.expr(a), self.expr(b));
                let (a, b) = (Box::new(a?), Box::new(b?));
                Some(if matches!(expr, Expr::And(..)) {
                    Condition::And(a, b)
                } else {
                    Condition::Or(a, b)
                })
            }
            Expr::Test { attribute, check } => {
                let id = self.resolve::<AttributeId>(attribute)?;
                let have = self.vocabulary.attribute_type(id);
                let name = &attribute.node;
                let mismatch = |message: String, help: String| {
                    Diagnostic::error("L013", message).with_help(help)
                };
                match check {
                    None => {
                        if have != ValueType::YesNo {
                            self.error(
                                attribute.span,
                                mismatch(
                                    format!(
                                        "`{name}` is {}, so it cannot stand alone as a condition",
                                        have.described()
                                    ),
                                    format!("compare it with a value, e.g. `{name} = …`"),
                                ),
                            );
                            return None;
                        }
                        Some(Condition::Flag(id))
                    }
                    Some(ast::Check::Compare(op, literal)) => {
                        let given = literal_type(&literal.node);
                        if given != have {
                            self.error(
                                literal.span,
                                mismatch(
                                    format!(
                                        "`{name}` is {}, but it is compared with {}",
                                        have.described(),
                                        given.described()
                                    ),
                                    format!("compare `{name}` with {}", have.described()),
                                ),
                            );
                            return None;
                        }
                        if op.is_ordering() && have != ValueType::Number {
                            self.error(
                                literal.span,
                                mismatch(
                                    format!(
                                        "`{}` only compares numbers, and `{name}` is {}",
                                        op.symbol(),
                                        have.described()
                                    ),
                                    "use `=` or `!=`".to_owned(),
                                ),
                            );
                            return None;
                        }
                        Some(Condition::Compare(id, *op, literal_value(&literal.node)))
                    }
                    Some(ast::Check::OneOf(literals)) => {
                        if have != ValueType::Text {
                            self.error(
                                attribute.span,
                                mismatch(
                                    format!(
                                        "`in [...]` needs a text attribute, and `{name}` is {}",
                                        have.described()
                                    ),
                                    "compare it with `=` instead".to_owned(),
                                ),
                            );
                            return None;
                        }
                        let mut texts = Vec::new();
                        for l in literals {
                            match &l.node {
                                Literal::Text(t) => texts.push(t.as_str().into()),
                                other => {
                                    self.error(
                                        l.span,
                                        mismatch(
                                            format!(
                                                "`{name}` is text, but the list holds {}",
                                                literal_type(other)
                                            ),
                                            "put every value in quotes".to_owned(),
                                        ),
                                    );
                                    return None;
                                }
                            }
                        }
                        Some(Condition::OneOf(id, texts.into_boxed_slice()))
                    }
                    Some(ast::Check::Contains(literal)) => {
                        let Literal::Text(text) = &literal.node else {
                            self.error(
                                literal.span,
                                mismatch(
                                    "`contains` looks for text".to_owned(),
                                    "put the value in quotes".to_owned(),
                                ),
                            );
                            return None;
                        };
                        if have != ValueType::TextSet {
                            self.error(
                                attribute.span,
                                mismatch(
                                    format!(
                                        "`contains` needs a set of text, and `{name}` is {}",
                                        have.described()
                                    ),
                                    "use `=` or `in [...]` instead".to_owned(),
                                ),
                            );
                            return None;
                        }
                        Some(Condition::Contains(id, text.as_str().into()))
                    }
                }
            }
        }
    }

    fn cites(&mut self, cites: &[Spanned<String>]) -> Vec<Box<str>> {
        for cite in cites.iter().filter(|c| c.node.trim().is_empty()) {
            self.error(
                cite.span,
                Diagnostic::error("L029", "this citation is empty").with_help(
                    "cite the section of the policy text by its title, like `cite \"Data Use\"`",
                ),
            );
        }
        cites.iter().map(|c| c.node.as_str().into()).collect()
    }

    fn rule(&mut self, rule: &ast::RuleDecl) -> Option<Rule> {
        let id = &rule.id;
        let before = self.diagnostics.len();
        let effect = match (rule.effect.node, &rule.basis) {
            (EffectKind::AllowUse, Some(basis)) => match Basis::from_name(&basis.node) {
                Some(b) => Some(Effect::Allow(b)),
                None => {
                    let names = Basis::ALL.map(Basis::as_str);
                    let help = match suggest(&basis.node, names) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("the lawful bases are {}", names.join(", ")),
                    };
                    self.error(
                        basis.span,
                        Diagnostic::error("L010", format!("unknown lawful basis `{}`", basis.node))
                            .with_help(help),
                    );
                    None
                }
            },
            (EffectKind::AllowUse, None) => {
                self.error(rule.effect.span, Diagnostic::error("L014", format!("rule `{}` allows use without a lawful basis", id.node))
                    .with_help("add a line such as `basis legitimate_interests` (or consent, contract, legal_obligation, vital_interests, public_task, controller_instructions)"));
                None
            }
            (_, Some(basis)) => {
                self.error(
                    basis.span,
                    Diagnostic::error(
                        "L014",
                        format!("rule `{}` denies, so it has no lawful basis", id.node),
                    )
                    .with_help("remove the `basis` line"),
                );
                None
            }
            (EffectKind::DenyUse, None) => Some(Effect::DenyUse),
            (EffectKind::DenyDisclosure, None) => Some(Effect::DenyDisclosure),
        };
        let allow = rule.effect.node == EffectKind::AllowUse;
        if allow && rule.scope.roles.is_none() {
            self.error(
                rule.effect.span,
                Diagnostic::error(
                    "L015",
                    format!("rule `{}` allows use without saying whose data", id.node),
                )
                .with_help("add a line `about ROLE, …` (or `about anyone`)"),
            );
        }
        if allow && rule.scope.purposes.is_none() {
            self.error(
                rule.effect.span,
                Diagnostic::error(
                    "L015",
                    format!(
                        "rule `{}` allows use without saying for which purposes",
                        id.node
                    ),
                )
                .with_help("add a line `for PURPOSE, …` (or `for any purpose`)"),
            );
        }
        if rule.effect.node != EffectKind::DenyDisclosure {
            if let Some(parties) = &rule.scope.parties {
                let span = match parties {
                    NameList::Any(s) => *s,
                    NameList::Names(n) => n.first().map_or(rule.effect.span, |n| n.span),
                };
                self.error(span, Diagnostic::error("L015", format!("rule `{}` names recipients, but it is not about disclosure", id.node))
                    .with_help("write `deny disclosure of …` to forbid disclosure to these parties; uses have no recipient"));
            }
        }
        if allow {
            if let Some(first) = rule.exceptions.first() {
                self.error(
                    first.span,
                    Diagnostic::error(
                        "L015",
                        format!(
                            "rule `{}` allows, and only a deny rule can have exceptions",
                            id.node
                        ),
                    )
                    .with_help("narrow the allow rule instead (with `about`, `for` or `when`)"),
                );
            }
        }
        let target = self.target(&rule.scope);
        let exceptions: Vec<Target> = rule
            .exceptions
            .iter()
            .map(|e| self.target(&e.node))
            .collect();
        let obligations = self.obligations(&rule.obligations);
        let cites = self.cites(&rule.cites);
        if self.diagnostics.len() > before {
            return None;
        }
        Some(Rule {
            id: id.node.as_str().into(),
            effect: effect?,
            target,
            exceptions,
            obligations,
            cites,
        })
    }

    /// This file's part of its version; `index` is the file's place among those
    /// compiled, `seen` what earlier parts of the version declared.
    fn version(
        &mut self,
        file: &PolicyFile,
        index: usize,
        seen: &mut Seen,
    ) -> Option<VersionModel> {
        let header = &file.header;
        let name = header.version.node.clone();
        let date_text = header.effective.as_ref().unwrap_or(&header.version);
        let effective = match Timestamp::parse(&date_text.node) {
            Ok(t) if date_text.node.len() == 10 => Some(t),
            _ => {
                let looks_like_a_date = date_text.node.len() == 10
                    && date_text.node.bytes().enumerate().all(|(i, b)| {
                        if i == 4 || i == 7 {
                            b == b'-'
                        } else {
                            b.is_ascii_digit()
                        }
                    });
                let message = if header.effective.is_some() || looks_like_a_date {
                    format!("`{}` is not a day of the calendar", date_text.node)
                } else {
                    format!(
                        "version `{name}` is not a date, so the file must say when it took effect"
                    )
                };
                self.error(date_text.span, Diagnostic::error("L019", message)
                    .with_help("write the header as `policy \"Title\" version 2021-11-11`, or add `effective 2021-11-11` after a named version"));
                None
            }
        };
        let mut version = VersionModel {
            name: name.as_str().into(),
            effective: effective.unwrap_or_else(Timestamp::now),
            title: header.title.as_str().into(),
            roles: Vec::new(),
            categories: Vec::new(),
            purposes: Vec::new(),
            attributes: Vec::new(),
            parties: Vec::new(),
            rules: Vec::new(),
            revocations: Vec::new(),
            children: None,
            labels: NameNotes::default(),
            fides: NameNotes::default(),
        };
        for declaration in &file.declarations {
            match declaration {
                Declaration::Role(d) => {
                    if let Some(id) = self.vocabulary.role(&d.name.node) {
                        version.roles.push(id);
                        self.notes(d, id, &mut version.labels.roles, &mut version.fides.roles);
                    }
                }
                Declaration::Category(d) => {
                    if let Some(id) = self.vocabulary.category(&d.name.node) {
                        version.categories.push(id);
                        let (labels, fides) = (&mut version.labels, &mut version.fides);
                        self.notes(d, id, &mut labels.categories, &mut fides.categories);
                    }
                }
                Declaration::Purpose(d) => {
                    if let Some(id) = self.vocabulary.purpose(&d.name.node) {
                        version.purposes.push(id);
                        let (labels, fides) = (&mut version.labels, &mut version.fides);
                        self.notes(d, id, &mut labels.purposes, &mut fides.purposes);
                    }
                }
                Declaration::Obligation(_) => {}
                Declaration::Attribute(d) => version.attributes.extend(self.attribute(d)),
                Declaration::Party(d) => {
                    if let Some(party) = self.party(d) {
                        version
                            .labels
                            .parties
                            .push((party.party, d.label.as_str().into()));
                        version.parties.push(party);
                    }
                }
                Declaration::Rule(rule) => {
                    self.unique_id(&mut seen.ids, index, &rule.id);
                    version.rules.extend(self.rule(rule));
                }
                Declaration::Revocation(r) => {
                    self.unique_id(&mut seen.ids, index, &r.id);
                    let revocation = self.revocation(r, seen.unscoped_revocation);
                    seen.unscoped_revocation |= revocation
                        .as_ref()
                        .is_some_and(|r| r.purposes == Scope::Any);
                    version.revocations.extend(revocation);
                }
                Declaration::Children(c) => {
                    if let Some(first) = seen.children {
                        let place = first_place(self.files, self.source, first);
                        self.error(
                            c.span,
                            Diagnostic::error("L017", "the child rule is declared twice")
                                .with_help(format!("keep one; the first is {place}")),
                        );
                        continue;
                    }
                    seen.children = Some((index, c.span));
                    version.children = self.children(c);
                }
            }
        }
        effective.map(|_| version)
    }

    /// Records a declaration's label and, when it has one, its Fides key (which must
    /// be a key Fides accepts: letters, digits and `_ . - < >`).
    fn notes<Id: Copy>(
        &mut self,
        d: &ast::NameDecl,
        id: Id,
        labels: &mut Vec<(Id, Box<str>)>,
        fides: &mut Vec<(Id, Box<str>)>,
    ) {
        labels.push((id, d.label.as_str().into()));
        let Some(key) = &d.fides else {
            return;
        };
        let valid = !key.node.is_empty()
            && key
                .node
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-<>".contains(&b));
        if valid {
            fides.push((id, key.node.as_str().into()));
        } else {
            self.error(
                key.span,
                Diagnostic::error(
                    "L024",
                    format!("`{}` is not a key of the Fides taxonomy", key.node),
                )
                .with_help(
                    "a Fides key has only letters, digits and `_ . - < >`, such as \"user.contact.email\"",
                ),
            );
        }
    }

    /// `attribute NAME "label" is TYPE[, default VALUE]`: the id and its default.
    fn attribute(&mut self, d: &ast::AttributeDecl) -> Option<(AttributeId, Option<Value>)> {
        let id = self.vocabulary.attribute(&d.name.node)?;
        let default = match &d.default {
            None => None,
            Some(l) if literal_type(&l.node) == value_type(d.value_type) => {
                Some(literal_value(&l.node))
            }
            Some(l) => {
                self.error(
                    l.span,
                    Diagnostic::error(
                        "L016",
                        format!(
                            "`{}` is {}, but its default is {}",
                            d.name.node,
                            value_type(d.value_type).described(),
                            literal_type(&l.node).described()
                        ),
                    )
                    .with_help(format!(
                        "give {} as the default",
                        value_type(d.value_type).described()
                    )),
                );
                None
            }
        };
        Some((id, default))
    }

    /// `party NAME "label" receives for … then … cite …`.
    fn party(&mut self, d: &ast::PartyDecl) -> Option<Party> {
        let party = self.vocabulary.party(&d.name.node)?;
        let receives = match &d.receives {
            None => Scope::Only(Vec::new()),
            Some(list) => self.scope::<PurposeId>(Some(list)),
        };
        let obligations = self.obligations(&d.obligations);
        let cites = self.cites(&d.cites);
        Some(Party {
            party,
            receives,
            obligations,
            cites,
        })
    }

    /// `revocation ID [for …] [withdraws consent] then … cite …`.
    fn revocation(
        &mut self,
        r: &ast::RevocationDecl,
        earlier_unscoped: bool,
    ) -> Option<Revocation> {
        let purposes = match &r.purposes {
            None => Scope::Any,
            Some(list) => self.scope::<PurposeId>(Some(list)),
        };
        let kind = if r.withdraws.is_some() {
            RevocationKind::Withdrawal
        } else {
            RevocationKind::OptOut
        };
        if purposes == Scope::Any && kind == RevocationKind::OptOut {
            self.error(
                r.id.span,
                Diagnostic::error(
                    "L022",
                    format!(
                        "revocation `{}` names no purposes, so it would be an opt-out of every purpose",
                        r.id.node
                    ),
                )
                .with_help(
                    "revoking consent already withdraws it (rules resting on consent stop; other bases go on): \
                     add a line `withdraws consent` to cite the sections that say so, \
                     or name the purposes the revocation opts out of with `for PURPOSE, …`",
                ),
            );
            return None;
        }
        if purposes == Scope::Any && earlier_unscoped {
            self.error(
                r.id.span,
                Diagnostic::error("L017", "a second revocation rule covers every purpose")
                    .with_help("give this one `for PURPOSES`, or remove it"),
            );
        }
        // A revocation always obliges the caller to tell the recipients.
        let mut obligations = self.obligations(&r.obligations);
        first_of_all(&mut obligations, NOTIFY_RECIPIENTS);
        let cites = self.cites(&r.cites);
        Some(Revocation {
            id: r.id.node.as_str().into(),
            purposes,
            kind,
            obligations,
            cites,
        })
    }

    /// `children under N about ROLES [unless CONDITION] then … cite …`.
    fn children(&mut self, c: &ast::ChildrenDecl) -> Option<Children> {
        let Some(list) = &c.roles else {
            self.error(
                c.under.span,
                Diagnostic::error("L023", "the child rule does not say whose data it covers")
                    .with_help(
                        "add a line such as `about visitor, account_user` after `children under N`; \
                         leave out roles whose data you process for a customer",
                    ),
            );
            return None;
        };
        if !(1..=MAX_AGE).contains(&c.under.node) {
            self.error(
                c.under.span,
                Diagnostic::error(
                    "L028",
                    format!(
                        "the child rule's age must be from 1 to {MAX_AGE}, not {}",
                        c.under.node
                    ),
                )
                .with_help(format!(
                    "a request gives ages from 0 to {MAX_AGE}: `children under 0` would cover no one, and an age above {MAX_AGE} everyone"
                )),
            );
            return None;
        }
        let roles = self.scope::<RoleId>(Some(list));
        let unless = c.unless.as_ref().and_then(|u| self.condition(u));
        let mut obligations = self.obligations(&c.obligations);
        first_of_all(&mut obligations, DELETE);
        let cites = self.cites(&c.cites);
        Some(Children {
            under: c.under.node,
            roles,
            unless,
            obligations,
            cites,
        })
    }

    fn unique_id(
        &mut self,
        ids: &mut HashMap<String, (usize, Span)>,
        index: usize,
        id: &Spanned<String>,
    ) {
        if id.node == CHILD_RULE {
            self.error(
                id.span,
                Diagnostic::error(
                    "L018",
                    format!("`{CHILD_RULE}` is the id of the child rule"),
                )
                .with_help("choose another id"),
            );
            return;
        }
        if let Some(first) = ids.get(&id.node) {
            let place = first_place(self.files, self.source, *first);
            self.error(
                id.span,
                Diagnostic::error("L018", format!("the id `{}` is used twice", id.node)).with_help(
                    format!("rule ids must be unique in a version; the first is {place}"),
                ),
            );
        } else {
            ids.insert(id.node.clone(), (index, id.span));
        }
    }
}
