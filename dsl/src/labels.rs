//! The words each version gives its names.
//!
//! The vocabulary holds one label per name, the last version's; versions often
//! word a name differently (Filestack's 2017 `visitor` is "someone who visits our
//! website", its 2021 one also "meets us at an event…"). A decision is explained
//! in the words of the version that decided it, so each version's labels that
//! differ from the vocabulary's are kept here.

use std::collections::HashMap;

use lawful_core::Vocabulary;

use crate::ast::{Declaration, PolicyFile};
use crate::diagnostic::Source;

/// The kinds of name that have labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LabelKind {
    /// A subject role.
    Role,
    /// A data category.
    Category,
    /// A purpose.
    Purpose,
    /// A party.
    Party,
    /// A subject attribute.
    Attribute,
    /// An obligation.
    Obligation,
}

/// One version's labels, by kind and name.
type Labels = HashMap<(LabelKind, Box<str>), Box<str>>;

/// The labels versions give their names, where they differ from the
/// vocabulary's (the last version's).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VersionLabels {
    by_version: HashMap<Box<str>, Labels>,
}

impl VersionLabels {
    /// The label `version` gives a name, when it differs from the vocabulary's.
    pub fn get(&self, version: &str, kind: LabelKind, name: &str) -> Option<&str> {
        self.by_version
            .get(version)?
            .get(&(kind, Box::from(name)))
            .map(|label| &**label)
    }

    /// Collects, for each file (version), the labels it gives that differ from
    /// those the vocabulary ended with.
    pub(crate) fn collect(
        files: &[(Source, PolicyFile)],
        vocabulary: &Vocabulary,
    ) -> VersionLabels {
        let mut labels = VersionLabels::default();
        for (_, file) in files {
            let mut differing = Labels::new();
            for declaration in &file.declarations {
                let (kind, name, label) = match declaration {
                    Declaration::Role(d) => (LabelKind::Role, &d.name.node, &d.label),
                    Declaration::Category(d) => (LabelKind::Category, &d.name.node, &d.label),
                    Declaration::Purpose(d) => (LabelKind::Purpose, &d.name.node, &d.label),
                    Declaration::Obligation(d) => (LabelKind::Obligation, &d.name.node, &d.label),
                    Declaration::Attribute(d) => (LabelKind::Attribute, &d.name.node, &d.label),
                    Declaration::Party(d) => (LabelKind::Party, &d.name.node, &d.label),
                    _ => continue,
                };
                if label.is_empty() || label_of(vocabulary, kind, name) == Some(label.as_str()) {
                    continue;
                }
                differing.insert((kind, Box::from(name.as_str())), Box::from(label.as_str()));
            }
            if !differing.is_empty() {
                labels
                    .by_version
                    .insert(Box::from(file.header.version.node.as_str()), differing);
            }
        }
        labels
    }
}

/// The vocabulary's label for a name.
pub fn label_of<'v>(vocabulary: &'v Vocabulary, kind: LabelKind, name: &str) -> Option<&'v str> {
    match kind {
        LabelKind::Role => vocabulary.role(name).map(|id| vocabulary.roles().label(id)),
        LabelKind::Category => vocabulary
            .category(name)
            .map(|id| vocabulary.categories().table().label(id)),
        LabelKind::Purpose => vocabulary
            .purpose(name)
            .map(|id| vocabulary.purposes().table().label(id)),
        LabelKind::Party => vocabulary
            .party(name)
            .map(|id| vocabulary.parties().label(id)),
        LabelKind::Attribute => vocabulary
            .attribute(name)
            .map(|id| vocabulary.attributes().label(id)),
        LabelKind::Obligation => vocabulary
            .obligation(name)
            .map(|id| vocabulary.obligations().label(id)),
    }
}
