//! The vocabulary: every name a policy declares, interned to an integer id.
//!
//! One vocabulary serves all versions of a policy, so a request is resolved once,
//! whichever version then decides it. Categories and purposes form trees through
//! their dotted names: `device.ip_address` is inside `device`.

use rustc_hash::FxHashMap;

use crate::ids::{
    AttributeId, CategoryId, MAX_NAMES, NameId, ObligationId, PartyId, PurposeId, RoleId,
    id_from_index,
};
use crate::value::ValueType;

/// Names of one kind, each with a plain-English label, interned to ids of type `Id`.
#[derive(Clone, Debug)]
pub struct NameTable<Id> {
    names: Vec<Box<str>>,
    labels: Vec<Box<str>>,
    lookup: FxHashMap<Box<str>, Id>,
}

impl<Id> Default for NameTable<Id> {
    fn default() -> Self {
        NameTable {
            names: Vec::new(),
            labels: Vec::new(),
            lookup: FxHashMap::default(),
        }
    }
}

impl<Id: NameId> NameTable<Id> {
    /// Adds a name (or finds it) and returns its id. A non-empty label replaces the
    /// one held, so the newest version's wording is the one shown.
    pub(crate) fn intern(&mut self, name: &str, label: &str) -> Result<Id, VocabularyFull> {
        if let Some(&id) = self.lookup.get(name) {
            if !label.is_empty() {
                if let Some(slot) = self.labels.get_mut(id.index()) {
                    *slot = label.into();
                }
            }
            return Ok(id);
        }
        if self.names.len() >= MAX_NAMES {
            return Err(VocabularyFull);
        }
        let id = Id::from_raw(id_from_index(self.names.len()));
        self.names.push(name.into());
        self.labels.push(label.into());
        self.lookup.insert(name.into(), id);
        Ok(id)
    }

    /// The id of a name, if it is declared.
    pub fn position(&self, name: &str) -> Option<Id> {
        self.lookup.get(name).copied()
    }

    /// The name of an id (empty if out of range).
    pub fn name(&self, id: Id) -> &str {
        self.names.get(id.index()).map_or("", |n| n)
    }

    /// The label of an id (empty if none).
    pub fn label(&self, id: Id) -> &str {
        self.labels.get(id.index()).map_or("", |n| n)
    }

    /// How many names are declared.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when nothing is declared.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// All names, in the order they were declared.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|n| &**n)
    }

    /// All ids, in the order their names were declared.
    pub fn ids(&self) -> impl Iterator<Item = Id> + use<Id> {
        (0..id_from_index(self.names.len())).map(Id::from_raw)
    }
}

/// The vocabulary has reached [`MAX_NAMES`] names of one kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("too many names of one kind: a policy may declare at most {MAX_NAMES}")]
pub struct VocabularyFull;

/// A tree of dotted names (categories or purposes). Nodes are the raw integers of
/// the table's ids, as the rule index files them.
#[derive(Clone, Debug)]
pub struct Tree<Id> {
    table: NameTable<Id>,
    parent: Vec<Option<u32>>,
    /// For each node, the node and then its ancestors, nearest first.
    lineage: Vec<Vec<u32>>,
    /// For each node, the node and every node inside it.
    subtree: Vec<Vec<u32>>,
}

impl<Id> Default for Tree<Id> {
    fn default() -> Self {
        Tree {
            table: NameTable::default(),
            parent: Vec::new(),
            lineage: Vec::new(),
            subtree: Vec::new(),
        }
    }
}

impl<Id: NameId> Tree<Id> {
    /// Adds a dotted name. Its parent (the name before the last dot) must already be
    /// present; the caller checks that and reports it with a location.
    pub(crate) fn intern(&mut self, name: &str, label: &str) -> Result<Id, VocabularyFull> {
        let known = self.table.position(name).is_some();
        let id = self.table.intern(name, label)?;
        if known {
            return Ok(id);
        }
        let node = id.raw();
        let parent = name
            .rsplit_once('.')
            .and_then(|(parent, _)| self.table.position(parent))
            .map(Id::raw);
        self.parent.push(parent);
        let mut lineage = vec![node];
        if let Some(p) = parent {
            lineage.extend(self.lineage.get(p as usize).into_iter().flatten());
        }
        for ancestor in &lineage {
            if let Some(sub) = self.subtree.get_mut(*ancestor as usize) {
                sub.push(node);
            }
        }
        self.lineage.push(lineage);
        self.subtree.push(vec![node]);
        Ok(id)
    }

    /// The names and labels of this tree.
    pub fn table(&self) -> &NameTable<Id> {
        &self.table
    }

    /// The node itself and then its ancestors, nearest first.
    pub fn lineage(&self, node: u32) -> &[u32] {
        self.lineage.get(node as usize).map_or(&[], |l| l)
    }

    /// The node itself and every node inside it.
    pub fn subtree(&self, node: u32) -> &[u32] {
        self.subtree.get(node as usize).map_or(&[], |l| l)
    }

    /// True when `inner` is `outer` or lies inside it.
    pub fn covers(&self, outer: u32, inner: u32) -> bool {
        self.lineage(inner).contains(&outer)
    }
}

/// Obligation kinds the engine itself attaches: always present, never declared.
pub const BUILTIN_OBLIGATIONS: [&str; 2] = ["delete", "notify_recipients"];
/// The id of the built-in `delete` obligation.
pub const DELETE: ObligationId = ObligationId(0);
/// The id of the built-in `notify_recipients` obligation.
pub const NOTIFY_RECIPIENTS: ObligationId = ObligationId(1);
/// The subject's age is a built-in attribute; conditions may use it.
pub const AGE: AttributeId = AttributeId(0);

/// Every name a policy (all its versions) declares.
#[derive(Clone, Debug)]
pub struct Vocabulary {
    roles: NameTable<RoleId>,
    categories: Tree<CategoryId>,
    purposes: Tree<PurposeId>,
    parties: NameTable<PartyId>,
    attributes: NameTable<AttributeId>,
    attribute_types: Vec<ValueType>,
    obligations: NameTable<ObligationId>,
}

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary::new()
    }
}

macro_rules! interner {
    ($(#[$doc:meta])* $fn:ident, $field:ident, $id:ident) => {
        $(#[$doc])*
        pub fn $fn(&mut self, name: &str, label: &str) -> Result<$id, VocabularyFull> {
            self.$field.intern(name, label)
        }
    };
}

impl Vocabulary {
    /// A vocabulary holding only the built-in names (`age`, `delete`, `notify_recipients`).
    pub fn new() -> Vocabulary {
        let mut vocabulary = Vocabulary {
            roles: NameTable::default(),
            categories: Tree::default(),
            purposes: Tree::default(),
            parties: NameTable::default(),
            attributes: NameTable::default(),
            attribute_types: Vec::new(),
            obligations: NameTable::default(),
        };
        // INVARIANT: the tables are empty, so these get ids 0 and 1 (see DELETE,
        // NOTIFY_RECIPIENTS and AGE) and cannot exceed MAX_NAMES.
        let _ = vocabulary
            .obligations
            .intern("delete", "delete the person's data");
        let _ = vocabulary.obligations.intern(
            "notify_recipients",
            "tell everyone the data was disclosed to",
        );
        let _ = vocabulary
            .attributes
            .intern("age", "the person's age in years");
        vocabulary.attribute_types.push(ValueType::Number);
        vocabulary
    }

    interner!(
        /// Declares a role.
        add_role, roles, RoleId
    );
    interner!(
        /// Declares a party.
        add_party, parties, PartyId
    );
    interner!(
        /// Declares an obligation kind.
        add_obligation, obligations, ObligationId
    );

    /// Declares a data category; its parent must be declared first.
    pub fn add_category(&mut self, name: &str, label: &str) -> Result<CategoryId, VocabularyFull> {
        self.categories.intern(name, label)
    }

    /// Declares a purpose; its parent must be declared first.
    pub fn add_purpose(&mut self, name: &str, label: &str) -> Result<PurposeId, VocabularyFull> {
        self.purposes.intern(name, label)
    }

    /// Declares a subject attribute with its type. Returns the type already held
    /// when the name was declared before with another type.
    pub fn add_attribute(
        &mut self,
        name: &str,
        label: &str,
        value_type: ValueType,
    ) -> Result<Result<AttributeId, ValueType>, VocabularyFull> {
        if let Some(existing) = self.attributes.position(name) {
            let held = self.attribute_types.get(existing.index()).copied();
            if let Some(held) = held.filter(|held| *held != value_type) {
                return Ok(Err(held));
            }
        }
        let id = self.attributes.intern(name, label)?;
        if self.attribute_types.len() <= id.index() {
            self.attribute_types.push(value_type);
        }
        Ok(Ok(id))
    }

    /// Role names.
    pub fn roles(&self) -> &NameTable<RoleId> {
        &self.roles
    }
    /// The category tree.
    pub fn categories(&self) -> &Tree<CategoryId> {
        &self.categories
    }
    /// The purpose tree.
    pub fn purposes(&self) -> &Tree<PurposeId> {
        &self.purposes
    }
    /// Party names.
    pub fn parties(&self) -> &NameTable<PartyId> {
        &self.parties
    }
    /// Attribute names (the first is the built-in `age`).
    pub fn attributes(&self) -> &NameTable<AttributeId> {
        &self.attributes
    }
    /// Obligation kinds (the first two are the built-in `delete` and `notify_recipients`).
    pub fn obligations(&self) -> &NameTable<ObligationId> {
        &self.obligations
    }

    /// The type of an attribute.
    pub fn attribute_type(&self, attribute: AttributeId) -> ValueType {
        self.attribute_types
            .get(attribute.index())
            .copied()
            .unwrap_or(ValueType::Text)
    }

    /// Looks a role up by name.
    pub fn role(&self, name: &str) -> Option<RoleId> {
        self.roles.position(name)
    }
    /// Looks a category up by name.
    pub fn category(&self, name: &str) -> Option<CategoryId> {
        self.categories.table().position(name)
    }
    /// Looks a purpose up by name.
    pub fn purpose(&self, name: &str) -> Option<PurposeId> {
        self.purposes.table().position(name)
    }
    /// Looks a party up by name.
    pub fn party(&self, name: &str) -> Option<PartyId> {
        self.parties.position(name)
    }
    /// Looks an attribute up by name.
    pub fn attribute(&self, name: &str) -> Option<AttributeId> {
        self.attributes.position(name)
    }
    /// Looks an obligation kind up by name.
    pub fn obligation(&self, name: &str) -> Option<ObligationId> {
        self.obligations.position(name)
    }

    /// The name of a role.
    pub fn role_name(&self, id: RoleId) -> &str {
        self.roles.name(id)
    }
    /// The name of a category.
    pub fn category_name(&self, id: CategoryId) -> &str {
        self.categories.table().name(id)
    }
    /// The name of a purpose.
    pub fn purpose_name(&self, id: PurposeId) -> &str {
        self.purposes.table().name(id)
    }
    /// The name of a party.
    pub fn party_name(&self, id: PartyId) -> &str {
        self.parties.name(id)
    }
    /// The name of an attribute.
    pub fn attribute_name(&self, id: AttributeId) -> &str {
        self.attributes.name(id)
    }
    /// The name of an obligation kind.
    pub fn obligation_name(&self, id: ObligationId) -> &str {
        self.obligations.name(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trees_know_lineage_and_subtrees() -> Result<(), VocabularyFull> {
        let mut v = Vocabulary::new();
        let device = v.add_category("device", "")?;
        let ip = v.add_category("device.ip_address", "")?;
        let other = v.add_category("contact", "")?;
        let tree = v.categories();
        assert_eq!(tree.lineage(ip.0), &[ip.0, device.0]);
        assert_eq!(tree.subtree(device.0), &[device.0, ip.0]);
        assert!(tree.covers(device.0, ip.0));
        assert!(!tree.covers(ip.0, device.0));
        assert!(!tree.covers(other.0, ip.0));
        Ok(())
    }

    #[test]
    fn attributes_keep_one_type() -> Result<(), VocabularyFull> {
        let mut v = Vocabulary::new();
        assert!(v.add_attribute("restricted", "", ValueType::YesNo)?.is_ok());
        assert!(v.add_attribute("restricted", "", ValueType::YesNo)?.is_ok());
        assert_eq!(
            v.add_attribute("restricted", "", ValueType::Text)?,
            Err(ValueType::YesNo)
        );
        assert_eq!(v.attribute("age"), Some(AGE));
        Ok(())
    }
}
