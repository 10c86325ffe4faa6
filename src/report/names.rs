//! The words a version gives its names: labels, and keys in the Fides taxonomy.

use lawful_core::Vocabulary;
use lawful_core::model::{NameNotes, VersionModel};

use crate::Policy;
use crate::map::DataMap;

/// The labels and Fides keys of one version's names.
pub struct Names<'p> {
    vocabulary: &'p Vocabulary,
    model: Option<&'p VersionModel>,
}

impl<'p> Names<'p> {
    /// The names of the version a map is of.
    pub fn of(policy: &'p Policy, map: &DataMap) -> Names<'p> {
        Names::version(policy, &map.version)
    }

    /// The names of a version, by its name.
    pub fn version(policy: &'p Policy, version: &str) -> Names<'p> {
        Names {
            vocabulary: policy.vocabulary(),
            model: policy.core().version_models().find(|v| &*v.name == version),
        }
    }

    /// The version's model.
    pub fn model(&self) -> Option<&'p VersionModel> {
        self.model
    }

    fn note(
        &self,
        pick: impl Fn(&'p NameNotes) -> Option<&'p str>,
        fides: bool,
    ) -> Option<&'p str> {
        let model = self.model?;
        pick(if fides { &model.fides } else { &model.labels })
    }

    /// The label the version gives a role (the newest version's when it gives none).
    pub fn role_label(&self, role: &str) -> &'p str {
        let id = self.vocabulary.role(role);
        id.and_then(|id| self.note(|n| n.role(id), false))
            .or_else(|| id.map(|id| self.vocabulary.roles().label(id)))
            .unwrap_or("")
    }

    /// The label the version gives a data category.
    pub fn category_label(&self, category: &str) -> &'p str {
        let id = self.vocabulary.category(category);
        id.and_then(|id| self.note(|n| n.category(id), false))
            .or_else(|| id.map(|id| self.vocabulary.categories().table().label(id)))
            .unwrap_or("")
    }

    /// The label the version gives a purpose.
    pub fn purpose_label(&self, purpose: &str) -> &'p str {
        let id = self.vocabulary.purpose(purpose);
        id.and_then(|id| self.note(|n| n.purpose(id), false))
            .or_else(|| id.map(|id| self.vocabulary.purposes().table().label(id)))
            .unwrap_or("")
    }

    /// The label the version gives a party.
    pub fn party_label(&self, party: &str) -> &'p str {
        let id = self.vocabulary.party(party);
        id.and_then(|id| self.note(|n| n.party(id), false))
            .or_else(|| id.map(|id| self.vocabulary.parties().label(id)))
            .unwrap_or("")
    }

    /// What an obligation asks, in words (its label; its name when it has none).
    pub fn obligation_label<'n>(&self, obligation: &'n str) -> &'n str
    where
        'p: 'n,
    {
        self.vocabulary
            .obligation(obligation)
            .map(|id| self.vocabulary.obligations().label(id))
            .filter(|label| !label.is_empty())
            .unwrap_or(obligation)
    }

    /// The Fides key the version maps a role to, if it maps it.
    pub fn role_fides(&self, role: &str) -> Option<&'p str> {
        let id = self.vocabulary.role(role)?;
        self.note(|n| n.role(id), true)
    }

    /// The Fides key the version maps a data category to, if it maps it.
    pub fn category_fides(&self, category: &str) -> Option<&'p str> {
        let id = self.vocabulary.category(category)?;
        self.note(|n| n.category(id), true)
    }

    /// The Fides key the version maps a purpose to, if it maps it.
    pub fn purpose_fides(&self, purpose: &str) -> Option<&'p str> {
        let id = self.vocabulary.purpose(purpose)?;
        self.note(|n| n.purpose(id), true)
    }

    /// The data categories the version declares with nothing declared inside them.
    pub fn leaf_categories(&self) -> std::collections::BTreeSet<String> {
        let Some(model) = self.model else {
            return std::collections::BTreeSet::new();
        };
        let tree = self.vocabulary.categories();
        let declared: Vec<u32> = model.categories.iter().map(|c| c.raw()).collect();
        model
            .categories
            .iter()
            .filter(|c| {
                tree.subtree(c.raw())
                    .iter()
                    .all(|inner| *inner == c.raw() || !declared.contains(inner))
            })
            .map(|c| self.vocabulary.category_name(*c).to_owned())
            .collect()
    }

    /// The vocabulary.
    pub fn vocabulary(&self) -> &'p Vocabulary {
        self.vocabulary
    }
}
