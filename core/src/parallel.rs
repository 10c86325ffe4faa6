//! Two pieces of work at once, on a small machine: loading a large policy has
//! steps that need only to read what an earlier step made, and can run beside
//! the step that runs on the calling thread.

/// Runs `side` on a thread of its own while `main` runs on this one, when
/// `worth_a_thread` (the work is large enough to pay for starting a thread);
/// one after the other otherwise. A thread that cannot start, or fails, leaves
/// `side` to this thread.
pub fn beside<A: Send, B>(
    worth_a_thread: bool,
    side: impl Fn() -> A + Sync,
    main: impl FnOnce() -> B,
) -> (A, B) {
    if !worth_a_thread {
        return (side(), main());
    }
    std::thread::scope(|scope| {
        let side = &side;
        let handle = std::thread::Builder::new()
            .name("lawful-beside".to_owned())
            .spawn_scoped(scope, side);
        let b = main();
        let a = handle.ok().and_then(|h| h.join().ok()).unwrap_or_else(side);
        (a, b)
    })
}

#[cfg(test)]
mod tests {
    use super::beside;

    #[test]
    fn both_results_come_back_with_or_without_a_thread() {
        for worth_a_thread in [false, true] {
            let (a, b) = beside(worth_a_thread, || 6 * 7, || "main");
            assert_eq!((a, b), (42, "main"));
        }
    }
}
