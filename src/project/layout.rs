//! Where a project's files are: the spec, and the rendered output tree. Named once here.

/// The output folder, relative to the project folder, unless `--out` says otherwise.
pub const OUT_DIR: &str = "build";

/// Rendered rule files, relative to the output folder.
pub const RULES: &str = "prometheus/rules/";

/// The rendered Prometheus config, relative to the output folder.
pub const PROMETHEUS_CONFIG: &str = "prometheus/prometheus.yml";

/// The rendered Alertmanager config, relative to the output folder.
pub const ALERTMANAGER_CONFIG: &str = "alertmanager/alertmanager.yml";

/// Rendered dashboards, relative to the output folder.
pub const DASHBOARDS: &str = "grafana/dashboards/";

/// Grafana's datasource provisioning, relative to the output folder.
pub const DATASOURCES: &str = "grafana/provisioning/datasources/";
