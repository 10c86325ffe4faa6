//! "Did you mean": the closest known name to a misspelt one.
//!
//! The recipe is rustc's: a case-insensitive exact match first, then the smallest
//! edit distance within a third of the name's length, then the same words in
//! another order.

/// Names longer than this get no suggestion.
pub const MAX_SUGGESTED_LENGTH: usize = 128;

/// Returns the candidate closest to `wanted`, if any is close enough to suggest.
pub fn suggest<'a, I>(wanted: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    // Long text is no misspelt name, and comparing it would cost time per request.
    if wanted.len() > MAX_SUGGESTED_LENGTH {
        return None;
    }
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    if let Some(same) = candidates
        .iter()
        .find(|c| c.eq_ignore_ascii_case(wanted) && **c != wanted)
    {
        return Some(same);
    }
    let limit = (wanted.chars().count().max(3)) / 3;
    let wanted_lower = wanted.to_ascii_lowercase();
    let best = candidates
        .iter()
        .filter(|c| c.len().abs_diff(wanted.len()) <= limit)
        .map(|c| (edit_distance(&wanted_lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()));
    if let Some((_, c)) = best {
        return Some(c);
    }
    let words = sorted_words(&wanted_lower);
    candidates
        .iter()
        .find(|c| sorted_words(&c.to_ascii_lowercase()) == words)
        .copied()
}

fn sorted_words(name: &str) -> Vec<&str> {
    let mut words: Vec<&str> = name
        .split(['_', '.', '-'])
        .filter(|w| !w.is_empty())
        .collect();
    words.sort_unstable();
    words
}

/// Edit distance over characters, counting an insertion, a deletion, a
/// substitution or a swap of two neighbours as one edit (optimal string alignment).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    // Three rows of the table: two back, one back, and the one being filled.
    let mut before: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current: Vec<usize> = vec![0; width];
    for (i, ca) in a.iter().enumerate() {
        if let Some(first) = current.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let at = |row: &[usize], k: usize| row.get(k).copied().unwrap_or(usize::MAX / 2);
            let mut best = (at(&previous, j) + usize::from(ca != cb))
                .min(at(&previous, j + 1) + 1)
                .min(at(&current, j) + 1);
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca);
            if swapped {
                best = best.min(at(&before, j - 1) + 1);
            }
            if let Some(cell) = current.get_mut(j + 1) {
                *cell = best;
            }
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(wanted: &str, expected: Option<&str>) {
        let names = [
            "marketing.communications",
            "marketing.measurement",
            "operate_website",
            "visitor",
            "account_user",
        ];
        assert_eq!(suggest(wanted, names), expected, "suggestion for {wanted}");
    }

    #[test]
    fn suggestions() {
        check(
            "marketting.communications",
            Some("marketing.communications"),
        );
        check("Visitor", Some("visitor"));
        check("vistor", Some("visitor"));
        check("user_account", Some("account_user"));
        check("website", None);
        check("zzz", None);
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("chekc", "check"), 1);
    }
}
