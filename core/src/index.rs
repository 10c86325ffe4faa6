//! The rule index: from what a request names to the rules that can apply to it.
//!
//! Each rule is filed under every (role, purpose, category) it is about, after
//! expanding dotted names into their subtrees. A dimension a rule leaves open
//! (`anyone`, `any purpose`, `any data`) is filed once under a wildcard instead of
//! under every name, so a broad rule costs one entry, not thousands. A lookup
//! therefore probes at most eight keys, one per pattern of wildcards that some rule
//! in the version actually uses, whatever the number of rules.

use rustc_hash::FxHashMap;

use crate::ids::{CategoryId, PurposeId, RoleId};

const BITS: u32 = 21;

/// A key part: 0 is the wildcard, a name is its id plus one.
fn part(id: Option<u32>) -> u64 {
    id.map_or(0, |i| u64::from(i) + 1)
}

fn pack(role: u64, purpose: u64, category: u64) -> u64 {
    (role << (2 * BITS)) | (purpose << BITS) | category
}

/// Rules filed by the (role, purpose, category) they are about.
#[derive(Clone, Debug, Default)]
pub(crate) struct RuleIndex {
    /// Bit `p` set when some rule uses wildcard pattern `p` (bit 0 role, 1 purpose, 2 category).
    patterns: u8,
    /// For each role, purpose and category id: the patterns in which a key could
    /// hold it. A lookup probes only patterns all three allow, so a request whose
    /// names no rule mentions costs no hashing at all.
    role_patterns: Vec<u8>,
    purpose_patterns: Vec<u8>,
    category_patterns: Vec<u8>,
    cells: FxHashMap<u64, (u32, u32)>,
    rules: Vec<u32>,
}

/// The patterns in which each dimension is a wildcard: any name fits them.
const ROLE_OPEN: u8 = 0b1010_1010;
const PURPOSE_OPEN: u8 = 0b1100_1100;
const CATEGORY_OPEN: u8 = 0b1111_0000;

fn mark(masks: &mut Vec<u8>, open: u8, key: u64, pattern: u8) {
    // Key parts are ids plus one; 0 (the wildcard) never reaches here.
    let Some(index) = usize::try_from(key).ok().and_then(|k| k.checked_sub(1)) else {
        return;
    };
    if masks.len() <= index {
        masks.resize(index + 1, open);
    }
    if let Some(mask) = masks.get_mut(index) {
        *mask |= 1 << pattern;
    }
}

/// The expanded keys of one dimension of one rule: `None` for the wildcard.
pub(crate) type Keys = Option<Vec<u32>>;

/// The most entries the indexes of all versions of a policy may hold together
/// (each is 16 bytes while building).
pub const MAX_INDEX_ENTRIES: usize = 4 << 20;

/// Collects entries, then freezes into a [`RuleIndex`].
#[derive(Default)]
pub(crate) struct IndexBuilder {
    entries: Vec<(u64, u32)>,
    patterns: u8,
}

impl IndexBuilder {
    /// Files `rule` under every combination of the given keys, taking the entries
    /// from `budget`. Refuses (returning the number of entries it would need) when
    /// the budget does not cover them.
    pub(crate) fn add(
        &mut self,
        rule: u32,
        roles: &Keys,
        purposes: &Keys,
        categories: &Keys,
        budget: &mut usize,
    ) -> Result<(), usize> {
        let count = |keys: &Keys| keys.as_ref().map_or(1, Vec::len);
        let needed = count(roles)
            .saturating_mul(count(purposes))
            .saturating_mul(count(categories));
        if needed > *budget {
            return Err(needed);
        }
        *budget -= needed;
        let pattern = u8::from(roles.is_none())
            | (u8::from(purposes.is_none()) << 1)
            | (u8::from(categories.is_none()) << 2);
        self.patterns |= 1 << pattern;
        let expand = |keys: &Keys| -> Vec<u64> {
            match keys {
                None => vec![0],
                Some(ids) => ids.iter().map(|i| part(Some(*i))).collect(),
            }
        };
        let (roles, purposes, categories) = (expand(roles), expand(purposes), expand(categories));
        for r in &roles {
            for p in &purposes {
                for c in &categories {
                    self.entries.push((pack(*r, *p, *c), rule));
                }
            }
        }
        Ok(())
    }

    #[cfg(test)]
    fn entry_count(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn build(mut self) -> RuleIndex {
        self.entries.sort_unstable();
        self.entries.dedup();
        let mut index = RuleIndex {
            patterns: self.patterns,
            rules: Vec::with_capacity(self.entries.len()),
            ..RuleIndex::default()
        };
        let mut start = 0u32;
        let mut iter = self.entries.iter().peekable();
        while let Some((key, rule)) = iter.next() {
            index.rules.push(*rule);
            if iter.peek().is_none_or(|(next, _)| next != key) {
                let end = crate::ids::id_from_index(index.rules.len());
                index.cells.insert(*key, (start, end));
                start = end;
                let mask = (1u64 << BITS) - 1;
                let (r, p, c) = (key >> (2 * BITS), (key >> BITS) & mask, key & mask);
                let pattern = u8::from(r == 0) | (u8::from(p == 0) << 1) | (u8::from(c == 0) << 2);
                if r != 0 {
                    mark(&mut index.role_patterns, ROLE_OPEN, r, pattern);
                }
                if p != 0 {
                    mark(&mut index.purpose_patterns, PURPOSE_OPEN, p, pattern);
                }
                if c != 0 {
                    mark(&mut index.category_patterns, CATEGORY_OPEN, c, pattern);
                }
            }
        }
        index
    }
}

impl RuleIndex {
    /// Calls `visit` with every rule filed under the request's names, in each
    /// pattern's file order. A rule may be visited once per pattern it is filed in
    /// (only ever one).
    #[inline]
    pub(crate) fn for_each(
        &self,
        role: RoleId,
        purpose: PurposeId,
        category: CategoryId,
        mut visit: impl FnMut(u32),
    ) {
        let allowed = |masks: &[u8], id: usize, open: u8| masks.get(id).copied().unwrap_or(open);
        let mut candidates = self.patterns
            & allowed(&self.role_patterns, role.index(), ROLE_OPEN)
            & allowed(&self.purpose_patterns, purpose.index(), PURPOSE_OPEN)
            & allowed(&self.category_patterns, category.index(), CATEGORY_OPEN);
        let (r, p, c) = (
            part(Some(role.0)),
            part(Some(purpose.0)),
            part(Some(category.0)),
        );
        while candidates != 0 {
            let pattern = candidates.trailing_zeros();
            candidates &= candidates - 1;
            let key = pack(
                if pattern & 1 != 0 { 0 } else { r },
                if pattern & 2 != 0 { 0 } else { p },
                if pattern & 4 != 0 { 0 } else { c },
            );
            if let Some(&(start, end)) = self.cells.get(&key) {
                for rule in self
                    .rules
                    .get(start as usize..end as usize)
                    .unwrap_or_default()
                {
                    visit(*rule);
                }
            }
        }
    }

    /// How many entries the index holds (for measuring).
    pub(crate) fn entries(&self) -> usize {
        self.rules.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(index: &RuleIndex, r: u32, p: u32, c: u32) -> Vec<u32> {
        let mut out = Vec::new();
        index.for_each(RoleId(r), PurposeId(p), CategoryId(c), |rule| {
            out.push(rule)
        });
        out.sort_unstable();
        out
    }

    #[test]
    fn finds_specific_and_wildcard_rules() {
        let mut b = IndexBuilder::default();
        let budget = &mut 4;
        let specific = b.add(0, &Some(vec![0]), &Some(vec![1, 2]), &Some(vec![5]), budget);
        assert!(specific.is_ok());
        assert!(b.add(1, &None, &Some(vec![1]), &None, budget).is_ok());
        assert!(b.add(2, &None, &None, &None, budget).is_ok());
        assert_eq!(b.entry_count(), 4);
        assert_eq!(b.add(3, &None, &None, &None, budget), Err(1));
        let index = b.build();
        assert_eq!(found(&index, 0, 1, 5), vec![0, 1, 2]);
        assert_eq!(found(&index, 0, 2, 5), vec![0, 2]);
        assert_eq!(found(&index, 1, 1, 9), vec![1, 2]);
        assert_eq!(found(&index, 1, 3, 9), vec![2]);
        assert_eq!(index.entries(), 4);
    }
}
