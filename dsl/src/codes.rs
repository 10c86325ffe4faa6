//! Every diagnostic code, with its kind and a one-line title: the one list the
//! documentation (`docs/diagnostics.md`, checked by a test) and machine-readable
//! reports (SARIF rule descriptions) are made from.

use crate::diagnostic::Severity;

/// A diagnostic code and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    /// The stable code, such as `L010`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// What it means, in a line.
    pub title: &'static str,
    /// What to do about it, in general.
    pub help: &'static str,
}

const fn code(
    code: &'static str,
    severity: Severity,
    title: &'static str,
    help: &'static str,
) -> Code {
    Code {
        code,
        severity,
        title,
        help,
    }
}

use Severity::{Error, Warning};

/// Every code, in order.
pub const CODES: &[Code] = &[
    code(
        "L000",
        Error,
        "internal: the parser produced something the compiler did not expect",
        "report the file to the maintainers",
    ),
    code(
        "L001",
        Error,
        "syntax: the text does not follow the grammar, a clause is out of order, a list ends with a comma, text has curly or missing quotes, a name has characters names cannot have",
        "follow the hint; clauses go allow/deny, about, for, to, basis, when, except, then, cite",
    ),
    code(
        "L002",
        Error,
        "the file is too large (over 16 MiB) or not UTF-8, a vocabulary is too large, or rules name more combinations than the policy can index (4 Mi entries in all)",
        "split the file; save it as UTF-8; use `any …` instead of long lists",
    ),
    code(
        "L003",
        Error,
        "brackets nest more than 16 deep, or a condition has more than 64 `and`/`or`/`not`",
        "split the condition into several rules",
    ),
    code(
        "L004",
        Error,
        "a number is too large",
        "use a smaller number",
    ),
    code(
        "L005",
        Error,
        "more problems were found than are shown",
        "fix the problems shown and check again",
    ),
    code(
        "L010",
        Error,
        "an unknown name: role, data category, purpose, party, attribute, obligation or lawful basis",
        "use the suggested name, or declare it in this file",
    ),
    code(
        "L011",
        Error,
        "a name is declared twice in one file",
        "remove one",
    ),
    code(
        "L012",
        Error,
        "a dotted name's parent is not declared (`device.ip_address` needs `device`)",
        "declare the parent",
    ),
    code(
        "L013",
        Error,
        "a condition compares values of different types, or uses an operator the type lacks",
        "compare with a value of the attribute's type",
    ),
    code(
        "L014",
        Error,
        "an allow rule without a lawful basis, or a deny rule with one",
        "add `basis …` to the allow; remove it from the deny",
    ),
    code(
        "L015",
        Error,
        "clauses that do not fit: an allow without `about` or `for`, an allow with `except`, `to` on a rule that is not about disclosure, one `except` saying `for` or `when` twice",
        "follow the hint",
    ),
    code(
        "L016",
        Error,
        "an attribute's default is of another type",
        "give a default of the declared type",
    ),
    code(
        "L017",
        Error,
        "the child rule twice, or two revocation rules covering every purpose",
        "keep one",
    ),
    code(
        "L018",
        Error,
        "a rule id used twice in a version, or the reserved id `children`",
        "choose another id",
    ),
    code(
        "L019",
        Error,
        "the header's version is neither a date nor followed by `effective DATE`, or the date is not a calendar day",
        "write `version 2021-11-11` or `version \"name\" effective 2021-11-11`",
    ),
    code(
        "L020",
        Error,
        "two versions share a name or an effective date, or an attribute changes type between versions",
        "give each version its own date; keep attribute types",
    ),
    code(
        "L021",
        Error,
        "a built-in name (`age`, `delete`, `notify_recipients`) is declared",
        "remove the declaration",
    ),
    code(
        "L022",
        Error,
        "a `revocation` without `for` and without `withdraws consent` (it would opt out of every purpose; revoking consent already withdraws it)",
        "add `withdraws consent` to cite the sections on withdrawal, or name the purposes it opts out of with `for`",
    ),
    code(
        "L023",
        Error,
        "a child rule that does not name the roles it covers",
        "add `about ROLE, …` after `children under N` (leave out roles whose data you process for a customer)",
    ),
    code(
        "L024",
        Error,
        "a `fides \"…\"` key with characters a Fides key cannot have",
        "use letters, digits and `_ . - < >`, as in `\"user.contact.email\"`",
    ),
    code(
        "L027",
        Error,
        "an attribute named `consents` or `revocations`: those are fields of a request's subject, so the attribute could never be given",
        "choose another name",
    ),
    code(
        "L028",
        Error,
        "a child rule's age outside 1 to 200",
        "give the age of majority the policy text names",
    ),
    code(
        "L029",
        Error,
        "an empty citation (`cite \"\"`, or only spaces)",
        "cite the section by its title, like `cite \"Data Use\"`",
    ),
    code(
        "L030",
        Warning,
        "a rule cites no section of the policy text",
        "add `cite \"Section\"`",
    ),
    code(
        "L031",
        Warning,
        "no rule allows any use for a purpose",
        "add a rule, or remove the purpose",
    ),
    code(
        "L032",
        Warning,
        "a party receives data for no purpose",
        "add `receives for …`, or remove the party",
    ),
    code(
        "L033",
        Warning,
        "an allow rule that an unconditional deny rule always overrides",
        "narrow the deny, add an exception, or remove the allow",
    ),
    code(
        "L034",
        Warning,
        "a deny's `except to …` that can never apply: on a `deny use` rule (a use has no recipient), or naming only parties a `deny disclosure … to` rule is not about",
        "name the parties the rule is about, or make it a `deny disclosure` rule",
    ),
    code(
        "L035",
        Warning,
        "a party cites no section of the policy text",
        "add `cite \"Section\"` naming where the policy names the party",
    ),
    code(
        "L036",
        Warning,
        "a purpose some rule allows, but no data can ever serve: deny rules forbid every use the data map would give it",
        "narrow the denies that cover it, or remove the purpose",
    ),
    code(
        "L037",
        Warning,
        "a party that receives data for some purposes, but can never receive anything: the rules allow no use for those purposes, or deny rules forbid every such disclosure",
        "check its `receives for` list against the rules, or remove the party",
    ),
    code(
        "L038",
        Warning,
        "a data category the data map uses only through rules that cite no section of the policy text",
        "cite the section that says the data is used so",
    ),
    code(
        "L040",
        Error,
        "a test file has a date or time that is not one",
        "write a date like 2026-03-01 or a time like 2026-03-01T10:00:00Z",
    ),
    code(
        "L041",
        Error,
        "a test asks about a name the policy does not declare (and does not `expect error`)",
        "use the suggested name, or write `expect error`",
    ),
    code(
        "L042",
        Error,
        "a test expects a rule (`expect … by RULE`) that no version of the policy has",
        "use the suggested id, or name a rule or revocation the policy declares",
    ),
    code(
        "L050",
        Error,
        "a path cannot be read, or holds no rule files; an entry named like a rule file that is not a readable regular file (a dangling or looping link, a pipe, a socket, a device, a folder)",
        "check the path; fix, remove or rename the entry",
    ),
    code(
        "L099",
        Error,
        "internal: the compiled model was refused",
        "report the file to the maintainers",
    ),
];

/// What a code means, if it is one.
pub fn describe(code: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.code == code)
}
