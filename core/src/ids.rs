//! Interned ids: every name in a policy becomes a small integer when it is compiled.
//!
//! Each kind of name has its own newtype so a purpose id can never be used where a
//! category id is expected.

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub(crate) u32);

        impl $name {
            /// The id as an index into the tables that hold this kind of name.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The id as the integer it is.
            #[inline]
            pub fn raw(self) -> u32 {
                self.0
            }
        }
    };
}

id_type!(
    /// A subject role, such as `visitor`.
    RoleId
);
id_type!(
    /// A data category, such as `device.ip_address`.
    CategoryId
);
id_type!(
    /// A purpose, such as `marketing.communications`.
    PurposeId
);
id_type!(
    /// A party data may be disclosed to, such as `mailgun`.
    PartyId
);
id_type!(
    /// A declared subject attribute, such as `do_not_track`.
    AttributeId
);
id_type!(
    /// A declared obligation kind, such as `keep_confidential`.
    ObligationId
);

/// Converts a table position into an id. Tables are limited to [`MAX_NAMES`]
/// entries, so the conversion never truncates.
pub(crate) fn id_from_index(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

/// The most names of one kind a policy may declare. Keeps packed index keys exact.
pub const MAX_NAMES: usize = (1 << 20) - 2;
