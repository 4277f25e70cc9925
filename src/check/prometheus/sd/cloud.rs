//! Discoveries of cloud providers' APIs: each row of the table with its own checks below it.

use super::kinds::{fields_only, kind, Kind};
use super::{url_parts, Sd};
use crate::check::prometheus::fields::{list, Fields, Ty};

const S: Ty = Ty::Str;
const D: Ty = Ty::Dur;
const I: Ty = Ty::Int;
const B: Ty = Ty::Bool;
const L: Ty = Ty::Strs;

const AWS_FIELDS: Fields = &[
    ("endpoint", S),
    ("region", S),
    ("access_key", S),
    ("secret_key", S),
    ("profile", S),
    ("role_arn", S),
    ("refresh_interval", D),
    ("port", I),
    ("filters", Ty::Any),
    ("role", S),
    ("clusters", L),
    ("request_concurrency", I),
];

pub(super) const AWS: Kind = kind("aws_sd_configs", "aws.plain", AWS_FIELDS, true, fields_only);
pub(super) const LIGHTSAIL: Kind = kind("lightsail_sd_configs", "aws.plain", AWS_FIELDS, true, fields_only);

pub(super) const EC2: Kind = kind("ec2_sd_configs", "aws.plain", AWS_FIELDS, true, ec2);

fn ec2(sd: &mut Sd<'_, '_>) {
    for f in list(sd.n().get("filters")) {
        if f.value.text("name").is_empty() {
            sd.err("EC2 SD configuration filter name cannot be empty");
        }
        if list(f.value.get("values")).is_empty() {
            sd.err("EC2 SD configuration filter values cannot be empty");
        }
    }
}

pub(super) const AZURE: Kind = kind(
    "azure_sd_configs",
    "azure.plain",
    &[
        ("environment", S),
        ("authentication_method", S),
        ("subscription_id", S),
        ("tenant_id", S),
        ("client_id", S),
        ("client_secret", S),
        ("resource_group", S),
        ("refresh_interval", D),
        ("port", I),
    ],
    true,
    azure,
);

fn azure(sd: &mut Sd<'_, '_>) {
    let method =
        if sd.n().get("authentication_method").is_some() { sd.text("authentication_method") } else { "OAuth".into() };
    let mut required = vec!["subscription_id"];
    if method == "OAuth" {
        required.extend(["tenant_id", "client_id", "client_secret"]);
    }
    for r in required {
        if sd.text(r).is_empty() {
            sd.err(format!("azure SD configuration requires a {r}"));
        }
    }
    if !["OAuth", "ManagedIdentity", "SDK", "WorkloadIdentity"].contains(&method.as_str()) {
        sd.err(format!("unknown authentication_type {method:?}. Supported types are \"OAuth\", \"ManagedIdentity\", \"SDK\" or \"WorkloadIdentity\""));
    }
}

pub(super) const DIGITALOCEAN: Kind =
    kind("digitalocean_sd_configs", "digitalocean.plain", &[("port", I), ("refresh_interval", D)], true, fields_only);

pub(super) const GCE: Kind = kind(
    "gce_sd_configs",
    "gce.plain",
    &[("project", S), ("zone", S), ("filter", S), ("refresh_interval", D), ("port", I), ("tag_separator", S)],
    false,
    gce,
);

fn gce(sd: &mut Sd<'_, '_>) {
    for (k, what) in [("project", "project"), ("zone", "zone")] {
        if sd.text(k).is_empty() {
            sd.err(format!("GCE SD configuration requires a {what}"));
        }
    }
}

pub(super) const HETZNER: Kind =
    kind("hetzner_sd_configs", "hetzner.plain", &[("role", S), ("port", I), ("refresh_interval", D)], true, hetzner);

fn hetzner(sd: &mut Sd<'_, '_>) {
    match sd.text("role").as_str() {
        "" => sd.err("role missing (one of: robot, hcloud)"),
        "robot" | "hcloud" => {}
        other => sd.err(format!("unknown role {other:?}")),
    }
}

pub(super) const IONOS: Kind = kind(
    "ionos_sd_configs",
    "ionos.plain",
    &[("datacenter_id", S), ("port", I), ("refresh_interval", D)],
    true,
    |sd| {
        if sd.text("datacenter_id").is_empty() {
            sd.err("datacenter id can't be empty");
        }
    },
);

pub(super) const LINODE: Kind = kind(
    "linode_sd_configs",
    "linode.plain",
    &[("region", S), ("port", I), ("tag_separator", S), ("refresh_interval", D)],
    true,
    fields_only,
);

pub(super) const OCI: Kind = kind(
    "oci_sd_configs",
    "oci.plain",
    &[
        ("auth", S),
        ("tenancy", S),
        ("user", S),
        ("fingerprint", S),
        ("key_file", S),
        ("key_passphrase", S),
        ("key_passphrase_file", S),
        ("region", S),
        ("compartments", L),
        ("port", I),
        ("refresh_interval", D),
    ],
    true,
    oci,
);

fn oci(sd: &mut Sd<'_, '_>) {
    let n = sd.n();
    if !n.is_set("region") {
        sd.err("oci_sd: region is required");
    }
    let auth = if n.get("auth").is_some() { n.text("auth") } else { "api_key".into() };
    let key_fields = ["tenancy", "user", "fingerprint", "key_file"];
    match auth.as_str() {
        "api_key" => {
            for k in key_fields {
                if !n.is_set(k) {
                    sd.err(format!("oci_sd: api_key auth requires {k}"));
                }
            }
            if n.is_set("key_passphrase") && n.is_set("key_passphrase_file") {
                sd.err("oci_sd: at most one of key_passphrase and key_passphrase_file must be configured");
            }
        }
        "instance_principal" => {
            if key_fields.iter().chain(&["key_passphrase", "key_passphrase_file"]).any(|k| n.is_set(k)) {
                sd.err("oci_sd: instance_principal auth must not have tenancy, user, fingerprint, key_file, key_passphrase, or key_passphrase_file set");
            }
        }
        other => {
            sd.err(format!("oci_sd: unknown auth method {other:?}, expected \"api_key\" or \"instance_principal\""))
        }
    }
}

pub(super) const OPENSTACK: Kind = kind(
    "openstack_sd_configs",
    "openstack.plain",
    &[
        ("identity_endpoint", S),
        ("username", S),
        ("userid", S),
        ("password", S),
        ("project_name", S),
        ("project_id", S),
        ("domain_name", S),
        ("domain_id", S),
        ("application_credential_name", S),
        ("application_credential_id", S),
        ("application_credential_secret", S),
        ("role", S),
        ("region", S),
        ("refresh_interval", D),
        ("port", I),
        ("availability", S),
        ("all_tenants", B),
        ("tls_config", Ty::Any),
    ],
    false,
    openstack,
);

fn openstack(sd: &mut Sd<'_, '_>) {
    let availability = if sd.n().get("availability").is_some() { sd.text("availability") } else { "public".into() };
    if !["public", "internal", "admin"].contains(&availability.as_str()) {
        sd.err(format!("unknown availability {availability}, must be one of admin, internal or public"));
    }
    match sd.text("role").as_str() {
        "" => sd.err("role missing (one of: instance, hypervisor, loadbalancer)"),
        "instance" | "hypervisor" | "loadbalancer" => {}
        other => sd.err(format!("unknown OpenStack SD role {other:?}")),
    }
    if sd.text("region").is_empty() {
        sd.err("openstack SD configuration requires a region");
    }
}

pub(super) const OUTSCALE: Kind = kind(
    "outscale_sd_configs",
    "outscale.plain",
    &[
        ("endpoint", S),
        ("region", S),
        ("access_key", S),
        ("secret_key", S),
        ("secret_key_file", S),
        ("refresh_interval", D),
        ("port", I),
    ],
    true,
    outscale,
);

fn outscale(sd: &mut Sd<'_, '_>) {
    if sd.text("region").is_empty() {
        sd.err("outscale SD configuration requires a region");
    }
    if sd.text("access_key").is_empty() {
        sd.err("outscale SD configuration requires access_key");
    }
    secret_key(sd);
}

pub(super) const OVHCLOUD: Kind = kind(
    "ovhcloud_sd_configs",
    "ovhcloud.plain",
    &[
        ("application_key", S),
        ("application_secret", S),
        ("consumer_key", S),
        ("service", S),
        ("endpoint", S),
        ("refresh_interval", D),
    ],
    false,
    ovhcloud,
);

fn ovhcloud(sd: &mut Sd<'_, '_>) {
    for (k, what) in [
        ("application_key", "application key"),
        ("application_secret", "application secret"),
        ("consumer_key", "consumer key"),
        ("endpoint", "endpoint"),
    ] {
        if sd.text(k).is_empty() {
            sd.err(format!("{what} can not be empty"));
        }
    }
    let service = sd.text("service");
    if service != "vps" && service != "dedicated_server" {
        sd.err(format!("unknown service: {service}"));
    }
}

pub(super) const SCALEWAY: Kind = kind(
    "scaleway_sd_configs",
    "scaleway.plain",
    &[
        ("access_key", S),
        ("secret_key", S),
        ("secret_key_file", S),
        ("project_id", S),
        ("role", S),
        ("port", I),
        ("api_url", S),
        ("zone", S),
        ("name_filter", S),
        ("tags_filter", L),
        ("refresh_interval", D),
    ],
    true,
    scaleway,
);

fn scaleway(sd: &mut Sd<'_, '_>) {
    match sd.text("role").as_str() {
        "" => sd.err("role missing (one of: instance, baremetal)"),
        "instance" | "baremetal" => {}
        other => sd.err(format!("unknown role {other:?}")),
    }
    if sd.text("project_id").is_empty() {
        sd.err("project_id is mandatory");
    }
    if sd.text("access_key").is_empty() {
        sd.err("access_key is mandatory");
    }
    secret_key(sd);
}

/// Outscale and Scaleway take the secret key inline or from a file, and need one of them.
fn secret_key(sd: &mut Sd<'_, '_>) {
    match (sd.n().is_set("secret_key"), sd.n().is_set("secret_key_file")) {
        (false, false) => sd.err("one of secret_key & secret_key_file must be configured"),
        (true, true) => sd.err("at most one of secret_key & secret_key_file must be configured"),
        _ => {}
    }
}

pub(super) const STACKIT: Kind = kind(
    "stackit_sd_configs",
    "stackit.plain",
    &[
        ("project", S),
        ("refresh_interval", D),
        ("port", I),
        ("role", S),
        ("region", S),
        ("endpoint", S),
        ("service_account_key", S),
        ("private_key", S),
        ("service_account_key_path", S),
        ("private_key_path", S),
        ("credentials_file_path", S),
    ],
    true,
    stackit,
);

fn stackit(sd: &mut Sd<'_, '_>) {
    let endpoint = sd.text("endpoint");
    if !endpoint.is_empty() && !url_parts(&endpoint).is_some_and(|(s, h)| !s.is_empty() && !h.is_empty()) {
        sd.err(format!("invalid endpoint {endpoint:?}"));
    }
}

pub(super) const TRITON: Kind = kind(
    "triton_sd_configs",
    "triton.plain",
    &[
        ("account", S),
        ("role", S),
        ("dns_suffix", S),
        ("endpoint", S),
        ("groups", L),
        ("port", I),
        ("refresh_interval", D),
        ("version", I),
        ("tls_config", Ty::Any),
    ],
    false,
    triton,
);

fn triton(sd: &mut Sd<'_, '_>) {
    for (k, what) in [("account", "an account"), ("dns_suffix", "a dns_suffix"), ("endpoint", "an endpoint")] {
        if sd.text(k).is_empty() {
            sd.err(format!("triton SD configuration requires {what}"));
        }
    }
    let role = sd.text("role");
    if !role.is_empty() && role != "container" && role != "cn" {
        sd.err(format!("unknown role {role:?} in triton SD configuration"));
    }
}

pub(super) const VULTR: Kind =
    kind("vultr_sd_configs", "vultr.plain", &[("port", I), ("refresh_interval", D)], true, fields_only);
