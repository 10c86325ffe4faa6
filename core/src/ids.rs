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

        impl sealed::FromRaw for $name {
            #[inline]
            fn from_raw(raw: u32) -> Self {
                $name(raw)
            }
        }

        impl NameId for $name {
            #[inline]
            fn index(self) -> usize {
                self.0 as usize
            }

            #[inline]
            fn raw(self) -> u32 {
                self.0
            }
        }
    };
}

/// An id of one kind of name, as a [`NameTable`](crate::vocab::NameTable) hands it out.
/// Only this crate makes ids, so every id came from a table.
pub trait NameId: Copy + Eq + std::hash::Hash + std::fmt::Debug + sealed::FromRaw {
    /// The id as an index into the tables that hold this kind of name.
    fn index(self) -> usize;
    /// The id as the integer it is.
    fn raw(self) -> u32;
}

pub(crate) mod sealed {
    /// Makes an id from its integer; unnameable outside this crate, so [`NameId`](super::NameId)
    /// is sealed.
    pub trait FromRaw {
        /// The id whose integer is `raw`.
        fn from_raw(raw: u32) -> Self;
    }
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
