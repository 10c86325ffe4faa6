//! The floor: Filestack's 2021-11-11 version decided by a hand-written Rust
//! function (enums, `matches!` and `if`s, no index, no tables), and the
//! Filestack-shaped requests the benches decide with it and with lawful.
//!
//! It encodes `rules/filestack/2021-11-11.lawful` for the requests [`requests`]
//! makes: leaf data categories and purposes of that version, consents and
//! revocations for leaf purposes and for `marketing`, every attribute either
//! given or left to its default, and a `collected_at` (when given) on or after
//! 2021-11-11, so that version decides. `tests/floor.rs` checks that it agrees
//! with lawful (allowed or not, and the deciding rule) on thousands of them.
//!
//! Used as a module by `benches/decide.rs`, `tests/floor.rs` and
//! `benches/compare/`.
#![allow(dead_code, reason = "each user of the module takes what it needs")]
#![allow(
    clippy::indexing_slicing,
    reason = "the generator picks from constant, non-empty tables"
)]

/// A subject role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Visitor,
    AccountUser,
    FileSubject,
}

/// A data category (the leaves of the 2021-11-11 version).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    DeviceIpAddress,
    DeviceIdentifier,
    DeviceSettings,
    ActivityVisit,
    ActivitySessionRecording,
    ActivityCookieId,
    ActivityServiceUsage,
    AdvertisingAttribution,
    ContactName,
    ContactEmail,
    ContactPhone,
    ContactJob,
    CommunicationContent,
    AccountCredentials,
    AccountSocialCredentials,
    AccountBillingContact,
    FileEmbedded,
}

/// A purpose: the leaves of the 2021-11-11 version, and `marketing` (which
/// consents and revocations may name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    OperateWebsite,
    ImproveOfferings,
    Marketing,
    MarketingMeasurement,
    MarketingCommunications,
    MarketingAdvertising,
    CustomerProvideServices,
    CustomerBilling,
    CustomerAccountCommunications,
    CustomerSupport,
    VendorManagement,
    FileProcessing,
    LegalCompliance,
    LegalEnforceTerms,
    LegalProtectSafety,
    LegalFraudProtection,
    BusinessTransferEvaluation,
    BusinessTransferCompletion,
    RecordKeeping,
    Sale,
}

/// A party data may be disclosed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    Mailgun,
    Zendesk,
    Docusign,
    Hellosign,
    Stripe,
    Xero,
    BillCom,
    GoogleWorkspace,
    GoogleAnalytics,
    GoogleAds,
    Hubspot,
    Salesforce,
    Aws,
    Facebook,
    LawEnforcement,
    Regulator,
    FraudPartner,
    ProspectiveAcquirer,
    Acquirer,
    Customer,
}

/// A request as a hand-written service would hold it. Times are seconds since
/// 1970-01-01T00:00:00Z; an attribute left `None` takes the policy's default.
#[derive(Clone, Debug, PartialEq)]
pub struct FloorRequest {
    /// `None` for a use, the recipient for a disclosure.
    pub party: Option<Party>,
    pub role: Role,
    pub data: Vec<Category>,
    pub purpose: Purpose,
    pub age: Option<u32>,
    pub do_not_track: Option<bool>,
    pub provided_contact: Option<bool>,
    pub restricted: Option<bool>,
    pub guardian_involved: Option<bool>,
    pub jurisdiction: Option<&'static str>,
    pub consents: Vec<(Purpose, i64)>,
    pub revocations: Vec<(Purpose, i64)>,
    pub at: i64,
    pub collected_at: Option<i64>,
}

/// Whether consent for a purpose is in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Consent {
    Given,
    Revoked,
    NotGiven,
}

/// `p` is `q` or inside it (only `marketing` has children among [`Purpose`]).
fn covers(q: Purpose, p: Purpose) -> bool {
    use Purpose::*;
    q == p
        || (q == Marketing
            && matches!(
                p,
                MarketingMeasurement | MarketingCommunications | MarketingAdvertising
            ))
}

/// Consent for the leaf purpose `p` at `r.at`: a revocation at or before `at` of
/// `p` or a purpose containing it, not followed by a consent, revokes it (the
/// revocation wins a tie); otherwise a consent at or before `at` gives it.
fn consent(r: &FloorRequest, p: Purpose) -> Consent {
    let mut revoked = false;
    for &(q, t) in &r.revocations {
        if t <= r.at && covers(q, p) {
            let restored = r
                .consents
                .iter()
                .any(|&(c, when)| when <= r.at && when > t && covers(c, p));
            revoked |= !restored;
        }
    }
    if revoked {
        Consent::Revoked
    } else if r
        .consents
        .iter()
        .any(|&(c, when)| when <= r.at && covers(c, p))
    {
        Consent::Given
    } else {
        Consent::NotGiven
    }
}

/// The state of consent for a purpose, as a word: `given`, `revoked` or `none`
/// (for encodings that take it as an input, such as the Cedar comparison's).
pub fn consent_word(r: &FloorRequest, p: Purpose) -> &'static str {
    match consent(r, p) {
        Consent::Given => "given",
        Consent::Revoked => "revoked",
        Consent::NotGiven => "none",
    }
}

/// The first deny rule (in file order) that forbids this category.
fn denied(r: &FloorRequest, c: Category) -> Option<&'static str> {
    use Category::*;
    use Party::*;
    use Purpose::*;
    let p = r.purpose;
    if matches!(c, AccountCredentials | AccountSocialCredentials)
        && !matches!(
            p,
            CustomerProvideServices | LegalCompliance | BusinessTransferCompletion
        )
    {
        return Some("credentials-only-to-authenticate");
    }
    if c == FileEmbedded && p != FileProcessing {
        return Some("processor-data-only-for-processing");
    }
    if c == FileEmbedded
        && r.party
            .is_some_and(|party| !matches!(party, Customer | Aws))
    {
        return Some("processor-data-recipients");
    }
    let dnt = r.do_not_track.unwrap_or(false);
    if dnt && p == MarketingAdvertising {
        return Some("do-not-track");
    }
    let ecosystem = matches!(r.party, Some(GoogleAnalytics | GoogleAds | Facebook));
    if ecosystem && dnt {
        return Some("do-not-track-advertising-ecosystem");
    }
    if ecosystem
        && p == MarketingAdvertising
        && r.jurisdiction.unwrap_or("unknown") == "US-CA"
        && consent(r, Sale) != Consent::Given
    {
        return Some("california-advertising-is-sale");
    }
    if p == Sale && matches!(r.party, Some(Aws | GoogleWorkspace)) {
        return Some("infrastructure-not-for-sale");
    }
    if r.restricted.unwrap_or(false)
        && !matches!(
            p,
            LegalCompliance | RecordKeeping | CustomerProvideServices | FileProcessing
        )
    {
        return Some("restriction");
    }
    None
}

/// The first allow rule (in file order) that allows this category.
fn allowed(r: &FloorRequest, c: Category, consent: Consent) -> Option<&'static str> {
    use Category::*;
    use Purpose::*;
    let p = r.purpose;
    let visitor = r.role == Role::Visitor;
    let account_user = r.role == Role::AccountUser;
    let device = matches!(c, DeviceIpAddress | DeviceIdentifier | DeviceSettings);
    let contact = matches!(c, ContactName | ContactEmail | ContactPhone | ContactJob);
    let consented = consent == Consent::Given;
    if visitor
        && (device
            || matches!(
                c,
                ActivityVisit
                    | ActivitySessionRecording
                    | ActivityCookieId
                    | AdvertisingAttribution
            ))
        && matches!(
            p,
            OperateWebsite | ImproveOfferings | MarketingMeasurement | MarketingAdvertising
        )
    {
        return Some("visitor-browsing");
    }
    if visitor
        && (contact || c == CommunicationContent)
        && p == MarketingCommunications
        && consented
        && r.provided_contact.unwrap_or(false)
    {
        return Some("visitor-marketing-mail");
    }
    if visitor && (contact || c == CommunicationContent) && p == VendorManagement {
        return Some("vendor-management");
    }
    if account_user
        && (contact
            || matches!(
                c,
                AccountBillingContact | ActivityServiceUsage | CommunicationContent
            ))
        && matches!(
            p,
            CustomerProvideServices
                | CustomerBilling
                | CustomerAccountCommunications
                | CustomerSupport
        )
    {
        return Some("account-user-services");
    }
    if account_user
        && matches!(c, AccountCredentials | AccountSocialCredentials)
        && p == CustomerProvideServices
    {
        return Some("account-user-credentials");
    }
    if account_user
        && (device || c == ActivityVisit)
        && matches!(
            p,
            CustomerProvideServices | CustomerSupport | ImproveOfferings
        )
    {
        return Some("account-user-visits");
    }
    if account_user && c == ActivityServiceUsage && p == ImproveOfferings {
        return Some("account-user-improvement");
    }
    if account_user
        && (contact || c == ActivityServiceUsage)
        && p == MarketingCommunications
        && consented
    {
        return Some("account-user-marketing");
    }
    let own = visitor || account_user;
    if own && matches!(p, LegalCompliance | RecordKeeping) {
        return Some("legal-compliance");
    }
    if own
        && matches!(
            p,
            LegalEnforceTerms | LegalProtectSafety | LegalFraudProtection
        )
    {
        return Some("legal-protection");
    }
    if own && matches!(p, BusinessTransferEvaluation | BusinessTransferCompletion) {
        return Some("business-transfer");
    }
    if visitor
        && (device || matches!(c, ActivityVisit | ActivityCookieId | AdvertisingAttribution))
        && p == Sale
        && consented
    {
        return Some("sale-needs-consent");
    }
    if r.role == Role::FileSubject && c == FileEmbedded && p == FileProcessing {
        return Some("file-processing");
    }
    None
}

/// Whether the party receives data for the purpose.
fn receives(party: Party, p: Purpose) -> bool {
    use Party::*;
    use Purpose::*;
    match party {
        Mailgun => matches!(p, MarketingCommunications | CustomerAccountCommunications),
        Zendesk => p == CustomerSupport,
        Docusign | Hellosign => matches!(p, CustomerProvideServices | VendorManagement),
        Stripe | Xero | BillCom => p == CustomerBilling,
        GoogleWorkspace | Aws => true,
        GoogleAnalytics => matches!(p, MarketingMeasurement | ImproveOfferings | Sale),
        GoogleAds | Facebook => matches!(p, MarketingAdvertising | Sale),
        Hubspot => matches!(p, MarketingCommunications | MarketingMeasurement),
        Salesforce => matches!(
            p,
            CustomerProvideServices
                | CustomerBilling
                | CustomerAccountCommunications
                | CustomerSupport
        ),
        LawEnforcement | Regulator => {
            matches!(p, LegalCompliance | LegalEnforceTerms | LegalProtectSafety)
        }
        FraudPartner => matches!(p, LegalFraudProtection | LegalCompliance),
        ProspectiveAcquirer => p == BusinessTransferEvaluation,
        Acquirer => p == BusinessTransferCompletion,
        Customer => p == FileProcessing,
    }
}

/// Decides a request as the 2021-11-11 version does: whether it is allowed, and
/// the id of the rule (or revocation, or `children`) that decided, if any.
pub fn decide(r: &FloorRequest) -> (bool, Option<&'static str>) {
    use Purpose::*;
    let p = r.purpose;
    if r.age.is_some_and(|age| age < 18)
        && matches!(r.role, Role::Visitor | Role::AccountUser)
        && !r.guardian_involved.unwrap_or(false)
    {
        return (false, Some("children"));
    }
    let consent = consent(r, p);
    if consent == Consent::Revoked {
        match p {
            MarketingCommunications => return (false, Some("marketing-opt-out")),
            MarketingMeasurement | MarketingAdvertising => {
                return (false, Some("marketing-purposes-opt-out"));
            }
            _ => {}
        }
    }
    let mut rule = None;
    for &c in &r.data {
        if let Some(deny) = denied(r, c) {
            return (false, Some(deny));
        }
        match allowed(r, c, consent) {
            Some(allow) => {
                rule.get_or_insert(allow);
            }
            None if consent == Consent::Revoked => {
                let withdrawal = if p == Sale {
                    "sale-consent-withdrawn"
                } else {
                    "consent-revoked"
                };
                return (false, Some(withdrawal));
            }
            None => return (false, None),
        }
    }
    if r.party.is_some_and(|party| !receives(party, p)) {
        return (false, None);
    }
    (rule.is_some(), rule)
}

// ── The requests ─────────────────────────────────────────────────────────

pub const ROLES: [(Role, &str); 3] = [
    (Role::Visitor, "visitor"),
    (Role::AccountUser, "account_user"),
    (Role::FileSubject, "file_subject"),
];

pub const CATEGORIES: [(Category, &str); 17] = [
    (Category::DeviceIpAddress, "device.ip_address"),
    (Category::DeviceIdentifier, "device.identifier"),
    (Category::DeviceSettings, "device.settings"),
    (Category::ActivityVisit, "activity.visit"),
    (
        Category::ActivitySessionRecording,
        "activity.session_recording",
    ),
    (Category::ActivityCookieId, "activity.cookie_id"),
    (Category::ActivityServiceUsage, "activity.service_usage"),
    (Category::AdvertisingAttribution, "advertising.attribution"),
    (Category::ContactName, "contact.name"),
    (Category::ContactEmail, "contact.email"),
    (Category::ContactPhone, "contact.phone"),
    (Category::ContactJob, "contact.job"),
    (Category::CommunicationContent, "communication.content"),
    (Category::AccountCredentials, "account.credentials"),
    (
        Category::AccountSocialCredentials,
        "account.social_credentials",
    ),
    (Category::AccountBillingContact, "account.billing_contact"),
    (Category::FileEmbedded, "file_embedded"),
];

pub const PURPOSES: [(Purpose, &str); 20] = [
    (Purpose::OperateWebsite, "operate_website"),
    (Purpose::ImproveOfferings, "improve_offerings"),
    (Purpose::Marketing, "marketing"),
    (Purpose::MarketingMeasurement, "marketing.measurement"),
    (Purpose::MarketingCommunications, "marketing.communications"),
    (Purpose::MarketingAdvertising, "marketing.advertising"),
    (
        Purpose::CustomerProvideServices,
        "customer.provide_services",
    ),
    (Purpose::CustomerBilling, "customer.billing"),
    (
        Purpose::CustomerAccountCommunications,
        "customer.account_communications",
    ),
    (Purpose::CustomerSupport, "customer.support"),
    (Purpose::VendorManagement, "vendor_management"),
    (Purpose::FileProcessing, "file_processing"),
    (Purpose::LegalCompliance, "legal.compliance"),
    (Purpose::LegalEnforceTerms, "legal.enforce_terms"),
    (Purpose::LegalProtectSafety, "legal.protect_safety"),
    (Purpose::LegalFraudProtection, "legal.fraud_protection"),
    (
        Purpose::BusinessTransferEvaluation,
        "business_transfer.evaluation",
    ),
    (
        Purpose::BusinessTransferCompletion,
        "business_transfer.completion",
    ),
    (Purpose::RecordKeeping, "record_keeping"),
    (Purpose::Sale, "sale"),
];

pub const PARTIES: [(Party, &str); 20] = [
    (Party::Mailgun, "mailgun"),
    (Party::Zendesk, "zendesk"),
    (Party::Docusign, "docusign"),
    (Party::Hellosign, "hellosign"),
    (Party::Stripe, "stripe"),
    (Party::Xero, "xero"),
    (Party::BillCom, "bill_com"),
    (Party::GoogleWorkspace, "google_workspace"),
    (Party::GoogleAnalytics, "google_analytics"),
    (Party::GoogleAds, "google_ads"),
    (Party::Hubspot, "hubspot"),
    (Party::Salesforce, "salesforce"),
    (Party::Aws, "aws"),
    (Party::Facebook, "facebook"),
    (Party::LawEnforcement, "law_enforcement"),
    (Party::Regulator, "regulator"),
    (Party::FraudPartner, "fraud_partner"),
    (Party::ProspectiveAcquirer, "prospective_acquirer"),
    (Party::Acquirer, "acquirer"),
    (Party::Customer, "customer"),
];

/// The allow rules' shapes (role, categories, purposes), so that most generated
/// requests ask about something some rule speaks of, as real traffic does.
const SHAPES: [(Role, &[Category], &[Purpose]); 6] = {
    use Category::*;
    use Purpose::*;
    [
        (
            Role::Visitor,
            &[
                DeviceIpAddress,
                DeviceIdentifier,
                ActivityVisit,
                ActivityCookieId,
                AdvertisingAttribution,
            ],
            &[
                OperateWebsite,
                ImproveOfferings,
                MarketingMeasurement,
                MarketingAdvertising,
                Sale,
            ],
        ),
        (
            Role::Visitor,
            &[ContactEmail, ContactName, CommunicationContent],
            &[MarketingCommunications, VendorManagement, LegalCompliance],
        ),
        (
            Role::AccountUser,
            &[
                ContactEmail,
                AccountBillingContact,
                ActivityServiceUsage,
                AccountCredentials,
            ],
            &[
                CustomerProvideServices,
                CustomerBilling,
                CustomerSupport,
                MarketingCommunications,
            ],
        ),
        (
            Role::AccountUser,
            &[DeviceIpAddress, ActivityVisit, ActivityServiceUsage],
            &[
                ImproveOfferings,
                CustomerSupport,
                BusinessTransferEvaluation,
            ],
        ),
        (
            Role::FileSubject,
            &[FileEmbedded],
            &[FileProcessing, ImproveOfferings],
        ),
        (
            Role::AccountUser,
            &[AccountCredentials, AccountSocialCredentials, ContactPhone],
            &[
                LegalFraudProtection,
                RecordKeeping,
                BusinessTransferCompletion,
            ],
        ),
    ]
};

/// A small, fast, seeded generator (xorshift64*): the same requests every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// 2021-11-11T00:00:00Z, when the version the floor encodes took effect.
pub const VERSION_EFFECTIVE: i64 = 1_636_588_800;
const DAY: i64 = 86_400;

/// One generated request: the floor's form and lawful's JSON.
pub struct Generated {
    pub floor: FloorRequest,
    pub json: String,
}

/// `count` Filestack-shaped requests from `seed`: three in four ask about a rule's
/// own role, data and purpose; the rest are anything. About half are disclosures,
/// and they carry attributes, ages, consents and revocations at varied times.
pub fn requests(seed: u64, count: usize) -> Vec<Generated> {
    let mut rng = Rng::new(seed);
    (0..count).map(|_| request(&mut rng)).collect()
}

pub fn name_of<T: Copy + PartialEq>(table: &[(T, &'static str)], item: T) -> &'static str {
    table
        .iter()
        .find(|(t, _)| *t == item)
        .map(|(_, n)| *n)
        .unwrap_or("")
}

fn request(rng: &mut Rng) -> Generated {
    let leaves: Vec<Purpose> = PURPOSES
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| *p != Purpose::Marketing)
        .collect();
    let (role, data, purpose) = if rng.chance(75) {
        let (role, categories, purposes) = rng.pick(&SHAPES);
        let count = 1 + usize::from(rng.chance(25)) + usize::from(rng.chance(10));
        let data = (0..count).map(|_| rng.pick(categories)).collect();
        (role, data, rng.pick(purposes))
    } else {
        let count = 1 + usize::from(rng.chance(20));
        let data = (0..count).map(|_| rng.pick(&CATEGORIES).0).collect();
        (rng.pick(&ROLES).0, data, rng.pick(&leaves))
    };
    // `at` between 2022 and 2026; consents and revocations on days around it, some
    // on the same day, some after it.
    let at = VERSION_EFFECTIVE + (60 + rng.below(1600) as i64) * DAY;
    let day = |rng: &mut Rng| at + (rng.below(12) as i64 - 8) * 30 * DAY;
    let mut consent_purposes: Vec<Purpose> = vec![
        purpose,
        Purpose::Marketing,
        Purpose::Sale,
        Purpose::MarketingCommunications,
    ];
    consent_purposes.push(rng.pick(&leaves));
    let events = |rng: &mut Rng, percent: u64| {
        let mut list: Vec<(Purpose, i64)> = Vec::new();
        for p in &consent_purposes {
            if rng.chance(percent) && !list.iter().any(|(q, _)| q == p) {
                list.push((*p, day(rng)));
            }
        }
        list
    };
    let consents = events(rng, 35);
    let revocations = events(rng, 15);
    let yes_no = |rng: &mut Rng, percent: u64| {
        if rng.chance(percent) {
            Some(rng.chance(50))
        } else {
            None
        }
    };
    let floor = FloorRequest {
        party: rng.chance(50).then(|| {
            if rng.chance(50) {
                rng.pick(&PARTIES).0
            } else {
                rng.pick(&[
                    Party::Aws,
                    Party::Mailgun,
                    Party::GoogleAds,
                    Party::GoogleAnalytics,
                    Party::Salesforce,
                    Party::Customer,
                ])
            }
        }),
        role,
        data,
        purpose,
        age: rng
            .chance(30)
            .then(|| rng.pick(&[5, 12, 13, 16, 17, 18, 34, 70])),
        do_not_track: yes_no(rng, 30),
        provided_contact: yes_no(rng, 40),
        restricted: if rng.chance(10) {
            Some(rng.chance(60))
        } else {
            None
        },
        guardian_involved: yes_no(rng, 15),
        jurisdiction: rng
            .chance(30)
            .then(|| rng.pick(&["US-CA", "US-CA", "EU", "US-NY"])),
        consents,
        revocations,
        at,
        collected_at: if rng.chance(40) {
            Some(
                VERSION_EFFECTIVE
                    + rng.below(((at - VERSION_EFFECTIVE) / DAY) as usize) as i64 * DAY,
            )
        } else {
            None
        },
    };
    let json = to_json(&floor, rng.chance(50));
    Generated { floor, json }
}

fn time(seconds: i64) -> String {
    lawful::Timestamp::from_unix(seconds, 0)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// The request as lawful reads it. `spelt_out` writes times in full
/// (`2026-03-01T00:00:00Z`) rather than as dates.
fn to_json(r: &FloorRequest, spelt_out: bool) -> String {
    let when = |t: i64| {
        let text = time(t);
        if spelt_out && text.len() == 10 {
            format!("{text}T00:00:00Z")
        } else {
            text
        }
    };
    let mut subject = serde_json::Map::new();
    subject.insert("role".into(), name_of(&ROLES, r.role).into());
    if let Some(age) = r.age {
        subject.insert("age".into(), age.into());
    }
    for (name, value) in [
        ("do_not_track", r.do_not_track),
        ("provided_contact", r.provided_contact),
        ("restricted", r.restricted),
        ("guardian_involved", r.guardian_involved),
    ] {
        if let Some(v) = value {
            subject.insert(name.into(), v.into());
        }
    }
    if let Some(j) = r.jurisdiction {
        subject.insert("jurisdiction".into(), j.into());
    }
    for (name, events) in [("consents", &r.consents), ("revocations", &r.revocations)] {
        if !events.is_empty() {
            let map: serde_json::Map<String, serde_json::Value> = events
                .iter()
                .map(|(p, t)| (name_of(&PURPOSES, *p).to_owned(), when(*t).into()))
                .collect();
            subject.insert(name.into(), map.into());
        }
    }
    let data: Vec<&str> = r.data.iter().map(|c| name_of(&CATEGORIES, *c)).collect();
    let mut request = serde_json::Map::new();
    request.insert(
        "action".into(),
        if r.party.is_some() { "disclose" } else { "use" }.into(),
    );
    request.insert("subject".into(), subject.into());
    request.insert(
        "data".into(),
        match data.as_slice() {
            [one] => (*one).into(),
            _ => data.into(),
        },
    );
    request.insert("purpose".into(), name_of(&PURPOSES, r.purpose).into());
    if let Some(party) = r.party {
        request.insert("party".into(), name_of(&PARTIES, party).into());
    }
    request.insert("at".into(), when(r.at).into());
    if let Some(collected) = r.collected_at {
        request.insert("collected_at".into(), when(collected).into());
    }
    serde_json::Value::Object(request).to_string()
}
