//! The rule index: from what a request names to the rules that can apply to it.
//!
//! Each rule is filed under every (role, purpose, category) it is about, after
//! expanding dotted names into their subtrees. A dimension a rule leaves open
//! (`anyone`, `any purpose`, `any data`) is filed once under a wildcard instead of
//! under every name, so a broad rule costs one entry, not thousands. A lookup
//! therefore probes at most eight keys, one per pattern of wildcards that some rule
//! in the version actually uses, whatever the number of rules.
//!
//! Each pattern's cells are held in a dense table indexed by the ids it keys on
//! when that table is small (Filestack's largest has 3 × 23 × 23 cells), and in a
//! hash map otherwise (a generated policy with 20,000 purposes and categories):
//! a probe of a dense table is two multiplications and a load.

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
    /// The cells of each pattern: ranges of `rules`.
    tables: [Table; 8],
    rules: Vec<u32>,
}

/// The cells of one pattern of wildcards.
#[derive(Clone, Debug, Default)]
enum Table {
    /// No rule uses the pattern.
    #[default]
    Empty,
    /// One range per combination of the ids the pattern keys on (a wildcard
    /// dimension counts once), at `(role × purposes + purpose) × categories + category`.
    Dense {
        purposes: usize,
        categories: usize,
        ranges: Vec<(u32, u32)>,
    },
    /// Ranges by packed key, for patterns whose dense table would be too large.
    Hashed(FxHashMap<u64, (u32, u32)>),
}

/// The most cells a dense table may have, whatever the number of its entries.
const DENSE_CELLS: usize = 1 << 16;

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

/// What can be known of a rule before any request, for cutting short the rules
/// filed under one key (which the evaluator reads in file order, taking the
/// first that applies).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// It applies or not depending on the request.
    Depends,
    /// It applies to every request filed under its keys: nothing after it under
    /// the same key is ever read.
    Always,
    /// It applies exactly when the subject's consent for the purpose is in force
    /// (an unconditional allow resting on consent).
    WithConsent,
    /// It rests on consent and has a condition: after a [`Reach::WithConsent`]
    /// rule under the same key it can never be the first to apply.
    ConsentAndMore,
}

/// The most entries the indexes of all versions of a policy may hold together
/// (each is 16 bytes while building).
pub const MAX_INDEX_ENTRIES: usize = 4 << 20;

/// Collects entries, then freezes into a [`RuleIndex`].
#[derive(Default)]
pub(crate) struct IndexBuilder {
    entries: Vec<(u64, u32)>,
    patterns: u8,
    /// Each rule's reach, by the rule's position.
    reach: Vec<(u32, Reach)>,
}

impl IndexBuilder {
    /// Files `rule` under every combination of the given keys, taking the entries
    /// from `budget`. Refuses (returning the number of entries it would need) when
    /// the budget does not cover them.
    pub(crate) fn add(
        &mut self,
        rule: u32,
        reach: Reach,
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
        if reach != Reach::Depends {
            self.reach.push((rule, reach));
        }
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

    /// Freezes the entries into an index, for a vocabulary of `roles`, `purposes`
    /// and `categories` names. Under each key the rules stay in file order, cut
    /// short where the rest could never be the first to apply: after a rule that
    /// always applies, and, of the rules resting on consent, after one that needs
    /// nothing but consent. So a flood of identical rules under one key costs a
    /// decision one rule, not thousands.
    pub(crate) fn build(mut self, roles: usize, purposes: usize, categories: usize) -> RuleIndex {
        self.entries.sort_unstable();
        self.entries.dedup();
        self.reach.sort_unstable_by_key(|(rule, _)| *rule);
        let reach = |rule: u32| {
            self.reach
                .binary_search_by_key(&rule, |(r, _)| *r)
                .ok()
                .and_then(|i| self.reach.get(i))
                .map_or(Reach::Depends, |(_, reach)| *reach)
        };
        let mut cells: [Vec<(u64, (u32, u32))>; 8] = Default::default();
        let mut index = RuleIndex {
            patterns: self.patterns,
            rules: Vec::with_capacity(self.entries.len()),
            ..RuleIndex::default()
        };
        let mut start = 0u32;
        // Within the current key: whether a rule that always applies was filed,
        // and whether one that needs only consent was.
        let (mut closed, mut consent_closed) = (false, false);
        let mut iter = self.entries.iter().peekable();
        while let Some((key, rule)) = iter.next() {
            let kept = match reach(*rule) {
                _ if closed => false,
                Reach::WithConsent | Reach::ConsentAndMore if consent_closed => false,
                Reach::Always => {
                    closed = true;
                    true
                }
                Reach::WithConsent => {
                    consent_closed = true;
                    true
                }
                Reach::Depends | Reach::ConsentAndMore => true,
            };
            if kept {
                index.rules.push(*rule);
            }
            if iter.peek().is_none_or(|(next, _)| next != key) {
                (closed, consent_closed) = (false, false);
                let end = crate::ids::id_from_index(index.rules.len());
                let mask = (1u64 << BITS) - 1;
                let (r, p, c) = (key >> (2 * BITS), (key >> BITS) & mask, key & mask);
                let pattern = u8::from(r == 0) | (u8::from(p == 0) << 1) | (u8::from(c == 0) << 2);
                if let Some(list) = cells.get_mut(usize::from(pattern)) {
                    list.push((*key, (start, end)));
                }
                start = end;
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
        for (pattern, (table, list)) in index.tables.iter_mut().zip(cells).enumerate() {
            *table = Table::new(pattern, list, [roles, purposes, categories]);
        }
        index
    }
}

impl Table {
    /// The table for one pattern's cells (keys with its wildcards, and their ranges).
    fn new(pattern: usize, cells: Vec<(u64, (u32, u32))>, sizes: [usize; 3]) -> Table {
        if cells.is_empty() {
            return Table::Empty;
        }
        // A wildcard dimension has one place; others one per name (ids plus one,
        // since 0 is the wildcard).
        let size = |dimension: usize| {
            if pattern & (1 << dimension) != 0 {
                1
            } else {
                sizes.get(dimension).map_or(1, |s| s + 1)
            }
        };
        let (roles, purposes, categories) = (size(0), size(1), size(2));
        let total = roles.saturating_mul(purposes).saturating_mul(categories);
        if total > DENSE_CELLS.max(cells.len().saturating_mul(8)) {
            return Table::Hashed(cells.into_iter().collect());
        }
        let mut ranges = vec![(0, 0); total];
        let mask = (1u64 << BITS) - 1;
        for (key, range) in cells {
            let parts = [key >> (2 * BITS), (key >> BITS) & mask, key & mask];
            let [r, p, c] = parts.map(|part| usize::try_from(part).unwrap_or(usize::MAX));
            if let Some(slot) = ranges.get_mut((r * purposes + p) * categories + c) {
                *slot = range;
            }
        }
        Table::Dense {
            purposes,
            categories,
            ranges,
        }
    }

    /// The range of rules filed under the key parts (0 for a wildcard).
    #[inline(always)]
    fn range(&self, r: u64, p: u64, c: u64) -> Option<(u32, u32)> {
        match self {
            Table::Empty => None,
            Table::Dense {
                purposes,
                categories,
                ranges,
            } => {
                // Parts are at most 2^21, so they fit any usize and never overflow here.
                let (r, p, c) = (r as usize, p as usize, c as usize);
                ranges.get((r * purposes + p) * categories + c).copied()
            }
            Table::Hashed(cells) => cells.get(&pack(r, p, c)).copied(),
        }
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
            u64::from(role.0) + 1,
            u64::from(purpose.0) + 1,
            u64::from(category.0) + 1,
        );
        while candidates != 0 {
            let pattern = candidates.trailing_zeros();
            candidates &= candidates - 1;
            let Some(table) = self.tables.get(pattern as usize) else {
                continue;
            };
            let range = table.range(
                if pattern & 1 != 0 { 0 } else { r },
                if pattern & 2 != 0 { 0 } else { p },
                if pattern & 4 != 0 { 0 } else { c },
            );
            if let Some((start, end)) = range {
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

/// The most (role, purpose, category) combinations a [`Plan`] lists.
const PLAN_CELLS: usize = 1 << 16;
/// The most rule positions a [`Plan`] holds in all.
const PLAN_ENTRIES: usize = 1 << 20;

/// For a vocabulary small enough to list every (role, purpose, category), the
/// rules of each index that can apply to each, merged across wildcard patterns and
/// sorted by position: the first that applies is then the rule written first, and
/// a decision probes one table once per category instead of each pattern of each
/// index. Larger vocabularies decide through the indexes themselves.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    purposes: usize,
    categories: usize,
    /// Three ranges of `rules` per combination, one per index, as consecutive offsets.
    offsets: Vec<u32>,
    rules: Vec<u32>,
}

/// Set on a rule's position in a [`Plan`]'s list when an exception of the rule
/// may carve out requests with the list's names; clear when none can, so that
/// deciding reads no exception. Mask it off to get the position.
pub(crate) const EXCEPTIONS_MAY_APPLY: u32 = 1 << 31;

impl Plan {
    /// The plan for the given indexes, or `None` when the vocabulary is too large.
    /// `entry(index, rule, role, purpose, category)` gives what to list for the
    /// rule under those names: `None` leaves out a rule that can never apply to
    /// them (a deny an unconditional exception always carves out), otherwise the
    /// position, with [`EXCEPTIONS_MAY_APPLY`] set where it is.
    pub(crate) fn build(
        indexes: [&RuleIndex; 3],
        roles: usize,
        purposes: usize,
        categories: usize,
        entry: impl Fn(usize, u32, RoleId, PurposeId, CategoryId) -> Option<u32>,
    ) -> Option<Plan> {
        let cells = roles.checked_mul(purposes)?.checked_mul(categories)?;
        if cells > PLAN_CELLS {
            return None;
        }
        let mut offsets = Vec::with_capacity(3 * cells + 1);
        offsets.push(0);
        let mut rules = Vec::new();
        let mut found = Vec::new();
        let id = crate::ids::id_from_index;
        for r in 0..roles {
            for p in 0..purposes {
                for c in 0..categories {
                    let (role, purpose, category) =
                        (RoleId(id(r)), PurposeId(id(p)), CategoryId(id(c)));
                    for (which, index) in indexes.iter().enumerate() {
                        found.clear();
                        let mut flagged = false;
                        index.for_each(role, purpose, category, |x| {
                            // A position using the flag's bit could not be told from it.
                            flagged |= x & EXCEPTIONS_MAY_APPLY != 0;
                            found.extend(entry(which, x, role, purpose, category));
                        });
                        if flagged {
                            return None;
                        }
                        found.sort_unstable_by_key(|x| x & !EXCEPTIONS_MAY_APPLY);
                        found.dedup();
                        rules.extend_from_slice(&found);
                        if rules.len() > PLAN_ENTRIES {
                            return None;
                        }
                        offsets.push(id(rules.len()));
                    }
                }
            }
        }
        Some(Plan {
            purposes,
            categories,
            offsets,
            rules,
        })
    }

    /// The rules of each index (in the order given to [`Plan::build`]) that can
    /// apply to the names, each list in file order (positions, perhaps flagged with
    /// [`EXCEPTIONS_MAY_APPLY`]); `None` for ids outside the plan.
    #[inline]
    pub(crate) fn get(
        &self,
        role: RoleId,
        purpose: PurposeId,
        category: CategoryId,
    ) -> Option<[&[u32]; 3]> {
        if purpose.index() >= self.purposes || category.index() >= self.categories {
            return None;
        }
        let cell =
            (role.index() * self.purposes + purpose.index()) * self.categories + category.index();
        let [a, b, c, d] = *self.offsets.get(3 * cell..3 * cell + 4)? else {
            return None;
        };
        let slice = |from: u32, to: u32| self.rules.get(from as usize..to as usize);
        Some([slice(a, b)?, slice(b, c)?, slice(c, d)?])
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
        // Small vocabularies get dense tables, large ones hashed ones: both find the same.
        for sizes in [(2, 4, 10), (1 << 20, 1 << 20, 1 << 20)] {
            check(sizes);
        }
    }

    fn check((roles, purposes, categories): (usize, usize, usize)) {
        let mut b = IndexBuilder::default();
        let budget = &mut 4;
        let d = Reach::Depends;
        let specific = b.add(
            0,
            d,
            &Some(vec![0]),
            &Some(vec![1, 2]),
            &Some(vec![5]),
            budget,
        );
        assert!(specific.is_ok());
        assert!(b.add(1, d, &None, &Some(vec![1]), &None, budget).is_ok());
        assert!(b.add(2, d, &None, &None, &None, budget).is_ok());
        assert_eq!(b.entry_count(), 4);
        assert_eq!(b.add(3, d, &None, &None, &None, budget), Err(1));
        let index = b.build(roles, purposes, categories);
        let dense = matches!(index.tables.first(), Some(Table::Dense { .. }));
        assert_eq!(dense, roles < 1000);
        assert_eq!(found(&index, 0, 1, 5), vec![0, 1, 2]);
        assert_eq!(found(&index, 0, 2, 5), vec![0, 2]);
        assert_eq!(found(&index, 1, 1, 9), vec![1, 2]);
        assert_eq!(found(&index, 1, 3, 9), vec![2]);
        assert_eq!(index.entries(), 4);
        if dense {
            let empty = RuleIndex::default();
            let keep = |_, position, _, _, _| Some(position);
            let plan = Plan::build([&index, &empty, &index], roles, purposes, categories, keep);
            assert!(plan.is_some());
            let listed = |r, p, c| {
                plan.as_ref()
                    .and_then(|plan| plan.get(RoleId(r), PurposeId(p), CategoryId(c)))
            };
            assert_eq!(listed(0, 1, 5), Some([&[0, 1, 2][..], &[], &[0, 1, 2]]));
            assert_eq!(listed(1, 3, 9), Some([&[2][..], &[], &[2]]));
            assert_eq!(listed(0, 4, 5), None);
        }
    }

    #[test]
    fn rules_that_can_never_come_first_under_a_key_are_not_filed() {
        let mut b = IndexBuilder::default();
        let budget = &mut 1_000_000;
        let key = Some(vec![0]);
        let mut add = |rule, reach| b.add(rule, reach, &key, &key, &key, budget).is_ok();
        assert!(add(0, Reach::Depends));
        assert!(add(1, Reach::WithConsent));
        assert!(add(2, Reach::Depends));
        // Thousands of identical rules resting on consent, then thousands that
        // always apply: only the first of each is kept.
        for rule in 3..5_000 {
            assert!(add(rule, Reach::WithConsent));
            assert!(add(rule + 5_000, Reach::ConsentAndMore));
        }
        assert!(add(10_000, Reach::Always));
        for rule in 10_001..20_000 {
            assert!(add(rule, Reach::Always));
            assert!(add(rule + 10_000, Reach::Depends));
        }
        let index = b.build(4, 4, 4);
        assert_eq!(found(&index, 0, 0, 0), vec![0, 1, 2, 10_000]);
        assert_eq!(index.entries(), 4);
    }
}
