//! The names of the function maps templates are parsed against: Go's builtins and the maps
//! Prometheus and Alertmanager add. The executable tables are in [`super::exec`]'s callers
//! ([`super::prometheus`], [`super::alertmanager`]); these lists are what the parser checks.

/// Go's own template functions: `builtins()` in `src/text/template/funcs.go` (golang/go,
/// go1.24).
pub const BUILTINS: &[&str] = &[
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf", "println", "urlquery", "eq",
    "ge", "gt", "le", "lt", "ne",
];

/// The functions Prometheus adds for alert labels and annotations: `NewTemplateExpander` in
/// `template/template.go` (prometheus/prometheus, v3.5.0).
pub const PROMETHEUS: &[&str] = &[
    "query",
    "first",
    "label",
    "value",
    "strvalue",
    "args",
    "reReplaceAll",
    "safeHtml",
    "match",
    "title",
    "toUpper",
    "toLower",
    "graphLink",
    "tableLink",
    "sortByLabel",
    "humanize",
    "humanize1024",
    "humanizeDuration",
    "humanizePercentage",
    "humanizeTimestamp",
    "toTime",
    "toDuration",
    "pathPrefix",
    "externalURL",
    "parseDuration",
    "stripPort",
    "stripDomain",
    "now",
    "urlQueryEscape",
];

/// The functions Alertmanager adds for notification templates: `DefaultFuncs` in
/// `template/template.go` (prometheus/alertmanager, v0.28.1; `toJson`, `list`, `append` and
/// `dict` arrived after v0.27).
pub const ALERTMANAGER: &[&str] = &[
    "toUpper",
    "toLower",
    "title",
    "trimSpace",
    "join",
    "match",
    "safeHtml",
    "safeUrl",
    "urlUnescape",
    "reReplaceAll",
    "stringSlice",
    "date",
    "tz",
    "since",
    "humanizeDuration",
    "toJson",
    "list",
    "append",
    "dict",
];
