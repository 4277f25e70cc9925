//! The table of service discovery kinds: each one's key, Go type (for messages), fields, whether
//! it inlines the HTTP client config, and its own checks. A row lives with its checks, in
//! [`super::cloud`], [`super::catalog`] or [`super::kubernetes`]; this lists them in the order
//! they are checked.

use super::super::fields::Fields;
use super::{catalog, cloud, kubernetes, Sd};

/// One kind of service discovery.
pub(super) struct Kind {
    pub(super) key: &'static str,
    pub(super) type_name: &'static str,
    pub(super) fields: Fields,
    pub(super) http: bool,
    /// What upstream's `UnmarshalYAML` checks beyond the fields.
    pub(super) check: fn(&mut Sd<'_, '_>),
}

pub(super) const fn kind(
    key: &'static str,
    type_name: &'static str,
    fields: Fields,
    http: bool,
    check: fn(&mut Sd<'_, '_>),
) -> Kind {
    Kind { key, type_name, fields, http, check }
}

/// The own checks of a kind that has none beyond its fields.
pub(super) fn fields_only(_: &mut Sd<'_, '_>) {}

pub(super) const KINDS: &[Kind] = &[
    cloud::AWS,
    cloud::AZURE,
    catalog::CONSUL,
    cloud::DIGITALOCEAN,
    catalog::DOCKER,
    catalog::DOCKERSWARM,
    catalog::DNS,
    cloud::EC2,
    catalog::EUREKA,
    catalog::FILE,
    cloud::GCE,
    cloud::HETZNER,
    catalog::HTTP,
    cloud::IONOS,
    kubernetes::KUBERNETES,
    catalog::KUMA,
    cloud::LIGHTSAIL,
    cloud::LINODE,
    catalog::MARATHON,
    catalog::NERVE,
    catalog::NOMAD,
    cloud::OCI,
    cloud::OPENSTACK,
    cloud::OUTSCALE,
    cloud::OVHCLOUD,
    catalog::PUPPETDB,
    cloud::SCALEWAY,
    catalog::SERVERSET,
    cloud::STACKIT,
    cloud::TRITON,
    catalog::UYUNI,
    cloud::VULTR,
];
