//! Reading a large rule file on several threads: where its text may be cut into
//! parts that each start a declaration, and running one job per part.
//!
//! A cut is only a guess made from the text (a line that begins with a word only a
//! declaration can begin with); the reader checks that each part's last
//! declaration ends where the next part begins, and reads the file in one go when
//! one does not.

/// Text at least this long (after the header) is read in parts.
pub(crate) const SPLIT_BYTES: usize = 256 << 10;

/// Words that, at the start of a line, always start a declaration: nothing inside
/// a declaration can begin with them (they are reserved, so no name is one, text
/// cannot span lines, and a comment ends with its line). `purpose` and `party` are
/// not among them: `for any` and `to any` may end a line before them.
const DECLARATION_WORDS: [&str; 7] = [
    "rule",
    "category",
    "role",
    "attribute",
    "obligation",
    "revocation",
    "children",
];

/// The byte ranges, from `start` to the end of `text`, to read on separate
/// threads: one range when the text is short or the machine has one thread.
pub(crate) fn ranges(text: &str, start: usize) -> Vec<(usize, usize)> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let end = text.len();
    if threads < 2 || end.saturating_sub(start) < SPLIT_BYTES {
        return vec![(start, end)];
    }
    let cuts = cut_points(text, start, threads);
    let starts = std::iter::once(start).chain(cuts.iter().copied());
    let ends = cuts.iter().copied().chain(std::iter::once(end));
    starts.zip(ends).collect()
}

/// Where the text after `start` may be cut into `parts` parts of about equal size:
/// starts of lines that begin a declaration, in increasing order.
pub(crate) fn cut_points(text: &str, start: usize, parts: usize) -> Vec<usize> {
    let starts_declaration = |at: usize| {
        let rest = text.get(at..).unwrap_or_default();
        DECLARATION_WORDS.iter().any(|word| {
            rest.strip_prefix(word)
                .is_some_and(|after| after.starts_with([' ', '\t']))
        })
    };
    let length = text.len().saturating_sub(start);
    let mut cuts: Vec<usize> = Vec::new();
    for part in 1..parts {
        let target = start + length / parts * part;
        let Some(from) = text.get(target..) else {
            continue;
        };
        let cut = from
            .match_indices('\n')
            .map(|(i, _)| target + i + 1)
            .find(|at| starts_declaration(*at));
        if let Some(cut) = cut.filter(|c| *c > start && cuts.last().is_none_or(|last| c > last)) {
            cuts.push(cut);
        }
    }
    cuts
}

/// Runs `job` on each range, the first on the calling thread and the others on
/// their own threads, and gives the results in the order of the ranges. A job
/// whose thread could not start or panicked gives `None`.
pub(crate) fn each<T, F>(ranges: &[(usize, usize)], job: F) -> Vec<Option<T>>
where
    T: Send,
    F: Fn(usize, usize) -> Option<T> + Sync,
{
    let Some((&(from, to), rest)) = ranges.split_first() else {
        return Vec::new();
    };
    if rest.is_empty() {
        return vec![job(from, to)];
    }
    let job = &job;
    std::thread::scope(|scope| {
        let workers: Vec<_> = rest
            .iter()
            .map(|&(from, to)| {
                std::thread::Builder::new()
                    .name("lawful-parse".to_owned())
                    // pest recurses into brackets: the depth is capped, but a
                    // spawned thread's default stack is small.
                    .stack_size(8 << 20)
                    .spawn_scoped(scope, move || job(from, to))
                    .ok()
            })
            .collect();
        let mut results = vec![job(from, to)];
        results.extend(
            workers
                .into_iter()
                .map(|w| w.and_then(|w| w.join().ok().flatten())),
        );
        results
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_fall_on_lines_that_begin_a_declaration() {
        let text =
            "policy \"P\" version 1\nrule a allow use of any data\n  for any\npurpose\n".repeat(50);
        for cut in cut_points(&text, 0, 4) {
            assert!(text[cut..].starts_with("rule "), "{cut}");
        }
        assert_eq!(cut_points(&text, 0, 4).len(), 3);
    }

    #[test]
    fn jobs_give_results_in_the_order_of_their_ranges() {
        let ranges = [(0, 1), (1, 5), (5, 9)];
        let got = each(&ranges, |from, to| Some(to - from));
        assert_eq!(got, vec![Some(1), Some(4), Some(4)]);
    }
}
