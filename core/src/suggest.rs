//! "Did you mean": the closest known name to a misspelt one.
//!
//! The recipe is rustc's: a case-insensitive exact match first, then the smallest
//! edit distance within a third of the name's length, then the same words in
//! another order.

/// Returns the candidate closest to `wanted`, if any is close enough to suggest.
pub fn suggest<'a, I>(wanted: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
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

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        let mut row = Vec::with_capacity(b.len() + 1);
        row.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let delete = previous.get(j + 1).copied().unwrap_or(0) + 1;
            let insert = row.last().copied().unwrap_or(0) + 1;
            row.push(substitute.min(delete).min(insert));
        }
        current.clone_from(&row);
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
    }
}
